#include "core/mask.h"

#include <gtest/gtest.h>

namespace yanglao {
namespace {

TEST(MaskTest, Phone) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("0722-1234567"), "0722-***4567");
  EXPECT_EQ(MaskPhone("010-12345678"), "010-****5678");
  EXPECT_EQ(MaskPhone("7234567"), "***4567");
  EXPECT_EQ(MaskPhone("1234"), "****");
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(MaskTest, IdNumbers) {
  EXPECT_EQ(MaskIfIdNumber("42130319440229001X"), "4213**********001X");
  EXPECT_EQ(MaskIfIdNumber("张三"), "张三");
  EXPECT_EQ(MaskIfIdNumber("1234567890"), "1234567890");
  EXPECT_EQ(MaskIdNumbersIn("查无 421303194402290016 此人，电话 13812345678"),
            "查无 4213**********0016 此人，电话 13812345678");
}

TEST(MaskTest, DecodesBeforeMaskingIds) {
  EXPECT_EQ(DecodeAndMaskIds("/api/v1/persons/%34%32130319440229001X"),
            "/api/v1/persons/4213**********001X");
  EXPECT_EQ(DecodeAndMaskIds("/a%2"), "/a%2");
}

}  // namespace
}  // namespace yanglao
