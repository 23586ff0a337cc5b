# Shared build settings and helpers for yanglao's own targets.
# Third-party headers are included as SYSTEM, so -Werror applies to our code only.

set(YANGLAO_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wimplicit-fallthrough -Werror
    # Designated initialisers that leave defaulted members out are intended.
    -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false positives at -O2 and above for std::string inside
  # std::variant (our Result<T>) and for std::string concatenation (GCC bug
  # 105329, -Wrestrict). The sanitizer build checks real uses.
  list(APPEND YANGLAO_WARNINGS -Wno-maybe-uninitialized -Wno-restrict)
endif()

if(YANGLAO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(YANGLAO_LIBFUZZER)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

find_package(GTest)
find_package(benchmark)
find_package(fmt REQUIRED)

# yanglao_library(NAME SOURCES... [DEPS ...])
# One static library per module, named yanglao_<module>, include root src/.
function(yanglao_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(yanglao_${name} STATIC ${ARG_SOURCES})
  target_include_directories(yanglao_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(yanglao_${name} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${YANGLAO_WARNINGS}>)
  target_link_libraries(yanglao_${name} PUBLIC ${ARG_DEPS})
  add_library(yanglao::${name} ALIAS yanglao_${name})
endfunction()

# yanglao_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest.
function(yanglao_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${YANGLAO_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "YANGLAO_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
