// Internal: libpq, loaded when the first PostgreSQL connection is made (dlopen of libpq.so.5, Debian's
// libpq5), not when the program starts. libpq brings some twenty libraries of its own (Kerberos, LDAP, SASL,
// GnuTLS, …): loading and relocating them cost every process — a `kvant split` over a file, a Python import,
// a C host on SQLite — about 4 ms and 3.5 MB before it did anything. Only the declarations of libpq-fe.h are
// used; nothing links libpq, so a call not made through pq() fails to link.
#pragma once

#include <libpq-fe.h>

namespace kvant {
inline namespace v0 {
namespace detail::pg {

// every libpq function the store calls
// clang-format off
#define KVANT_LIBPQ_FUNCTIONS(X) \
    X(connectdbParams) \
    X(finish) \
    X(status) \
    X(errorMessage) \
    X(transactionStatus) \
    X(exec) \
    X(prepare) \
    X(execPrepared) \
    X(clear) \
    X(resultStatus) \
    X(resultErrorField) \
    X(resultErrorMessage) \
    X(ntuples) \
    X(nfields) \
    X(fname) \
    X(getisnull) \
    X(getvalue) \
    X(getlength) \
    X(putCopyData) \
    X(putCopyEnd) \
    X(getResult) \
    X(conninfoParse) \
    X(conninfoFree) \
    X(freemem) \
    X(escapeLiteral) \
    X(escapeIdentifier)
// clang-format on

struct libpq {
#define KVANT_LIBPQ_MEMBER(name) decltype(&::PQ##name) name = nullptr;
    KVANT_LIBPQ_FUNCTIONS(KVANT_LIBPQ_MEMBER)
#undef KVANT_LIBPQ_MEMBER
};

/// libpq's functions, the library loaded on the first call (thread-safe). storage_error(storage_io) naming
/// the library when it cannot be loaded (install libpq5) or lacks a function.
const libpq& pq();

}  // namespace detail::pg
}  // namespace v0
}  // namespace kvant
