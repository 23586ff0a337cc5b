// The device simulator (yanglao devices simulate N): N wristbands around a
// synthetic centre (合成数据), each with a home, walking out and back or lying
// still with drifting fixes, with heartbeats, heart rate and blood pressure,
// occasional SOS and falls, and some that go silent.
#ifndef YANGLAO_DEVICES_SIMULATE_H_
#define YANGLAO_DEVICES_SIMULATE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "devices/mqtt.h"
#include "devices/store.h"

namespace yanglao::devices {

struct SimulateOptions {
  int devices = 10;
  MqttUrl mqtt;                // host and port (the devices' own credentials below)
  std::string password;        // every simulated device's password (demo only)
  std::string prefix = "sim";  // device names sim-00001 ...
  double centre_lat = 30.3914, centre_lon = 114.8949;  // synthetic: 鄂州 (合成数据)
  std::string region = "420704001001";
  int seconds = 60;           // how long to run (0: until stopped)
  double sos_per_hour = 0.5;  // per device
  double fall_per_hour = 0.2;
  double silent_share = 0.05;  // devices that stop after a while
  uint64_t seed = 7;
};

// The simulated devices (their homes), for enrolment.
std::vector<Device> SimulatedDevices(const SimulateOptions& o);

struct SimulateReport {
  int64_t published = 0, acked = 0, sos = 0, falls = 0, silent = 0;
};
Result<SimulateReport> Simulate(const SimulateOptions& o, const std::atomic<bool>& stop);

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_SIMULATE_H_
