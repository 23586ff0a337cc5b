// Routes the web front end needs beyond the module route groups: the
// citizen page's care advisor (养老顾问, no sign-in, a one-time code sent to
// the phone number on record) and the console's menu and permission set.
#ifndef YANGLAO_SERVER_WEB_ROUTES_H_
#define YANGLAO_SERVER_WEB_ROUTES_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/router.h"

namespace yanglao::server {

class App;

// Sends a text message. Implementations must be thread-safe. The demo
// sender (the default) writes the message to the server log (stderr)
// instead of a phone.
class SmsSender {
 public:
  virtual ~SmsSender() = default;
  // `phone` is the full number on record; `text` is the whole message.
  virtual Status Send(std::string_view phone, std::string_view text) = 0;
};

// The sender used by the citizen routes from now on (process-wide; null
// restores the demo sender). For tests and deployments with an SMS gateway.
void SetSmsSender(std::shared_ptr<SmsSender> sender);
// How many citizen challenges may be open at once (process-wide; 0 restores
// the default, 100,000); beyond it a code request is 503 server.busy. For tests.
void SetCitizenChallengeLimit(size_t limit);

// POST /api/v1/citizen/code, POST /api/v1/citizen/advice (api_citizen.cc).
void AddCitizenRoutes(App& app, Router& router);
// GET /api/v1/console/menu, import templates, age bands (api_console.cc), and
// the assessment form and its live scoring (AddAssessFormRoutes).
void AddConsoleRoutes(App& app, Router& router);
// GET /api/v1/console/assessment-form, POST .../assessment-score (api_assess_form.cc).
void AddAssessFormRoutes(Router& router);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_WEB_ROUTES_H_
