/* A few checks for the C API tests (plain C): each failed check prints where and what, and the test's exit
 * status is the number of failed checks. */
#ifndef KVANT_TEST_CHECK_H
#define KVANT_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kvant.h"

static int check_failures = 0;

#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            ++check_failures;                                                                       \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, \
                    kvant_last_error());                                                            \
        }                                                                                           \
    } while (0)

/* A call that must succeed. */
#define OK(call) CHECK_STATUS(call, KVANT_OK)

/* A call that must return `expected`. */
#define CHECK_STATUS(call, expected)                                                                         \
    do {                                                                                                     \
        const int check_got_ = (call);                                                                       \
        if (check_got_ != (expected)) {                                                                      \
            ++check_failures;                                                                                \
            fprintf(stderr, "%s:%d: %s returned %s (%d), expected %s; last error: %s\n", __FILE__, __LINE__, \
                    #call, kvant_status_name(check_got_), check_got_, #expected, kvant_last_error());        \
        }                                                                                                    \
    } while (0)

#define CHECK_EQ_I64(got, expected)                                                                       \
    do {                                                                                                  \
        const int64_t check_g_ = (got), check_e_ = (expected);                                            \
        if (check_g_ != check_e_) {                                                                       \
            ++check_failures;                                                                             \
            fprintf(stderr, "%s:%d: %s is %" PRId64 ", expected %" PRId64 "\n", __FILE__, __LINE__, #got, \
                    check_g_, check_e_);                                                                  \
        }                                                                                                 \
    } while (0)

#define CHECK_STR(got, expected)                                                                \
    do {                                                                                        \
        const char* check_g_ = (got);                                                           \
        const char* check_e_ = (expected);                                                      \
        if (!check_g_ || strcmp(check_g_, check_e_) != 0) {                                     \
            ++check_failures;                                                                   \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got, \
                    check_g_ ? check_g_ : "(NULL)", check_e_);                                  \
        }                                                                                       \
    } while (0)

/* The last error names `part` (a file, line, field, function). */
#define CHECK_ERROR_HAS(part)                                                                      \
    do {                                                                                           \
        if (!strstr(kvant_last_error(), (part))) {                                                 \
            ++check_failures;                                                                      \
            fprintf(stderr, "%s:%d: last error \"%s\" does not name \"%s\"\n", __FILE__, __LINE__, \
                    kvant_last_error(), (part));                                                   \
        }                                                                                          \
    } while (0)

static int check_done(const char* name) {
    if (check_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    else
        printf("%s: all checks passed\n", name);
    return check_failures ? 1 : 0;
}

#endif
