/*
 * kvant.h: the C API of libkvant (utility metering: stores, CSV import, readings, consumption, tariff split,
 * cost, verification, anomalies, estimation) for C programs and any language with a C FFI.
 *
 * Plain C99; compiles as C++ too. Link with -lkvant_c (pkg-config kvant_c, or CMake kvant::c).
 *
 * Conventions (capi/README.md has them in full):
 * - Opaque handles: kvant_store, kvant_readings (readings read back), kvant_table (a report's result),
 *   kvant_decoder and kvant_frame (meter protocol frames). Each has a kvant_<x>_free that accepts NULL.
 * Strings the library allocates for the caller are freed with kvant_string_free.
 * - Functions are named kvant_<area>_<verb>. Those that can fail return an int status: KVANT_OK (0) or a
 *   negative KVANT_E_* code, whose values never change once released. Out-parameters come first; on failure
 *   an out-parameter is set to NULL/0 when it was not NULL.
 * - kvant_last_error() gives the message of the last failure on the calling thread: the library's text with
 *   its "[kvant.<area>.<code>]" prefix and, for input errors, file, line and field.
 * - Every decimal crosses the boundary exactly: as a scaled int64_t (millionths for values, kopecks for
 * money) or as text; never as a double. Times are Unix seconds (UTC) as int64_t.
 * - Threads: a kvant_store is not thread-safe (use one per thread, or serialise its calls); distinct stores
 *   may be used on distinct threads at once. kvant_readings and kvant_table are immutable once returned: any
 *   number of threads may read one at a time. The last-error message is per thread.
 * - No C++ exception ever leaves a function of this header, and none aborts the process.
 */
#ifndef KVANT_H
#define KVANT_H

#include <stddef.h>
#include <stdint.h>

/* What the shared library exports (it is built with hidden visibility). */
#if defined(_WIN32)
#define KVANT_C_API
#elif defined(__GNUC__)
#define KVANT_C_API __attribute__((visibility("default")))
#else
#define KVANT_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---- */

#define KVANT_C_VERSION_MAJOR 0
#define KVANT_C_VERSION_MINOR 1
#define KVANT_C_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, as kvant_version() returns it. */
#define KVANT_C_VERSION (KVANT_C_VERSION_MAJOR * 10000 + KVANT_C_VERSION_MINOR * 100 + KVANT_C_VERSION_PATCH)

/** The version of the library linked at run time, MAJOR * 10000 + MINOR * 100 + PATCH: compare it with
 *  KVANT_C_VERSION to detect a header/library mismatch. Thread-safe; never fails. */
KVANT_C_API int kvant_version(void);
/** The same version as "MAJOR.MINOR.PATCH". A static string (never free it); thread-safe; never fails. */
KVANT_C_API const char* kvant_version_string(void);

/* ---- status codes ---- */

/* The status every fallible function returns. These values never change once released; new codes are only
 * added. The library's own code (kvant::errc, e.g. 110 for a CSV syntax error) is in the message prefix
 * "[kvant.<area>.<code>]" of kvant_last_error(). */
#define KVANT_OK 0
#define KVANT_E_INVALID_ARGUMENT (-1) /**< a NULL handle or pointer, an index out of range, a wrong type */
#define KVANT_E_NO_MEMORY (-2)        /**< an allocation failed (or a size no allocation can satisfy) */
#define KVANT_E_INTERNAL (-3)         /**< a failure inside the library that is none of the others (a bug) */
#define KVANT_E_PARSE (-10)           /**< text that does not say what it should (CSV, JSON, a value) */
#define KVANT_E_VALIDATION                                                                                \
    (-11)                       /**< well-formed data that is inconsistent or implausible (unknown meter) \
                                 */
#define KVANT_E_OVERFLOW (-12)  /**< an exact result out of the exact range (names meter and period) */
#define KVANT_E_STORAGE (-20)   /**< the database failed (I/O, schema, a bad path) */
#define KVANT_E_BUSY (-21)      /**< another connection held the write lock: nothing changed, retry */
#define KVANT_E_CORRUPT (-22)   /**< a stored value that cannot be read back */
#define KVANT_E_CONFLICT (-23)  /**< a reading stored already with another value (conflict "fail") */
#define KVANT_E_NOT_FOUND (-24) /**< no such entity, anomaly or column */
#define KVANT_E_CONFIG (-30)    /**< a bad setting or option (a bad period name, no tariff in force) */
#define KVANT_E_DECODE (-40)    /**< a meter protocol frame that cannot be decoded */

/** The name of a status code ("KVANT_E_PARSE"), or "unknown" for a value that is not one. A static string;
 *  thread-safe; never fails. */
KVANT_C_API const char* kvant_status_name(int status);

/** The message of the last failure on the calling thread ("" when none has failed yet). Valid until the next
 *  failing call on this thread; never free it. A success does not clear it. Thread-safe (per thread). */
KVANT_C_API const char* kvant_last_error(void);

/** Frees a string the library returned (kvant_table_to_json, kvant_table_to_csv). NULL does nothing. */
KVANT_C_API void kvant_string_free(char* s);

/* ---- store ---- */

typedef struct kvant_store kvant_store;

/* How kvant_store_open opens a database. */
#define KVANT_OPEN_CREATE 0     /**< open, creating the file and its schema when absent */
#define KVANT_OPEN_READ_WRITE 1 /**< open an existing database for writing (KVANT_E_STORAGE when absent) */
#define KVANT_OPEN_READ_ONLY 2  /**< open an existing database for reading only */

/** Opens a SQLite database at `path` (UTF-8) with a KVANT_OPEN_* mode; a PostgreSQL connection string or URI
 *  (`postgresql://user@host:5432/db`, `host=… dbname=…`) opens that PostgreSQL database instead (its schema
 *  created by KVANT_OPEN_CREATE). On success *out is a store the caller frees with kvant_store_free. A
 *  database of an older schema is migrated when opened for writing.
 *  Thread-safe: each call opens a connection of its own. */
KVANT_C_API int kvant_store_open(kvant_store** out, const char* path, int mode);
/** A new, empty store in memory (gone when freed). The caller frees it with kvant_store_free. Thread-safe. */
KVANT_C_API int kvant_store_open_memory(kvant_store** out);
/** Closes a store and frees it; NULL does nothing. Readings and tables obtained from it stay valid. Call it
 *  from one thread once no other call on the store is running. */
KVANT_C_API void kvant_store_free(kvant_store* store);

/** Imports CSV files (and a tariff_schedules JSON file) in one transaction: `kinds[i]` names the table of
 *  `paths[i]` ("organizations", "abonents", "accounts", "metering_points", "meter_models", "meters",
 *  "readings", "events", "relay_changes", "sessions", "tariff_schedules", "tariff_assignments",
 *  "tariff_rates", "normatives"; docs/csv.md), in any order (they are imported in the order their references
 *  need). The first bad line fails the import with a message naming the file, line and field, and the store
 * is left exactly as before. *rows_out (when not NULL) gets the number of data rows read (readings count
 *  values). Readings stored already with another value fail the import (KVANT_E_CONFLICT). Not thread-safe
 *  for one store. */
KVANT_C_API int kvant_store_import_csv(size_t* rows_out, kvant_store* store, const char* const* kinds,
                                       const char* const* paths, size_t count);

/** Puts entities given as JSON text (UTF-8; the library's JSON of the entity, docs/entities.md): `kind` is
 *  "organization", "abonent", "account", "metering_point", "meter_model", "meter", "tariff_schedule",
 *  "tariff_assignment", "tariff_rate" or "normative" (another: KVANT_E_CONFIG);
 *  `json` one object or an array of them, put in order in one transaction (put what an entity refers to
 *  first). Entities are upserted by key. Bad JSON: KVANT_E_PARSE naming the byte offset or key; an unknown
 *  reference or an invalid entity: KVANT_E_VALIDATION. Not thread-safe for one store. */
KVANT_C_API int kvant_store_put_json(kvant_store* store, const char* kind, const char* json);

/* What to do with a reading stored already with another value. */
#define KVANT_CONFLICT_FAIL 0    /**< fail the whole batch (KVANT_E_CONFLICT) */
#define KVANT_CONFLICT_KEEP 1    /**< keep the stored value */
#define KVANT_CONFLICT_REPLACE 2 /**< replace it */

/** Writes `count` reading values in one transaction (all or nothing). Row i is meter `meters[i]` (a serial
 *  the store knows), channel `channels[i]` in its text form (docs/channels.md: "active_import",
 *  "active_import.t1", "1.8.0", "heat_energy@GJ", ...), time `times[i]` (Unix seconds) and value
 *  `values[i]` in millionths (12.5 kWh is 12500000). The arrays are read during the call only. An unknown
 *  meter: KVANT_E_VALIDATION naming it; a bad channel: KVANT_E_PARSE naming the row. `on_conflict` is a
 *  KVANT_CONFLICT_*. *inserted_out (when not NULL) gets the number of new values (a value equal to the stored
 *  one is not new). `count` 0 writes nothing. Not thread-safe for one store. */
KVANT_C_API int kvant_store_put_readings(size_t* inserted_out, kvant_store* store, size_t count,
                                         const char* const* meters, const char* const* channels,
                                         const int64_t* times, const int64_t* values, int on_conflict);

/* ---- readings read back ---- */

typedef struct kvant_readings kvant_readings;

/** Reads stored values through the store's cursor: those of the `meter_count` serials `meters` (every meter
 *  when meter_count is 0; meters may then be NULL), with time in [from, to) (Unix seconds; INT64_MIN and
 *  INT64_MAX for no bound), ordered by meter serial, then channel, then time. On success *out holds them;
 *  the caller frees it with kvant_readings_free. An unknown serial reads nothing (not an error). Reads may
 *  run on one store from one thread at a time. */
KVANT_C_API int kvant_store_read_readings(kvant_readings** out, const kvant_store* store,
                                          const char* const* meters, size_t meter_count, int64_t from,
                                          int64_t to);
/** Frees readings; NULL does nothing. Call it once no other thread reads them. */
KVANT_C_API void kvant_readings_free(kvant_readings* readings);
/** The number of values (0 for NULL). Thread-safe, as every accessor of readings. */
KVANT_C_API size_t kvant_readings_count(const kvant_readings* readings);
/** The times (Unix seconds), `count` of them; NULL for NULL or when there are none. Valid until the readings
 *  are freed. */
KVANT_C_API const int64_t* kvant_readings_times(const kvant_readings* readings);
/** The values in millionths, `count` of them; NULL for NULL or when there are none. Valid until freed. */
KVANT_C_API const int64_t* kvant_readings_values(const kvant_readings* readings);
/** The meter serial of value i; NULL for NULL or i out of range (the message says which). Valid until the
 *  readings are freed. */
KVANT_C_API const char* kvant_readings_meter(const kvant_readings* readings, size_t i);
/** The channel of value i in its text form (docs/channels.md), as kvant_store_put_readings takes it; NULL for
 *  NULL or i out of range. Valid until the readings are freed. */
KVANT_C_API const char* kvant_readings_channel(const kvant_readings* readings, size_t i);

/* ---- reports ---- */

typedef struct kvant_table kvant_table;

/** What the period reports (consumption, split, cost, estimate) share. Initialise it with
 *  kvant_report_options_init(&options, sizeof options), then change fields. The struct only grows at the end;
 * `size` tells the library how much of it the caller knows. Strings are read during the call only. */
typedef struct kvant_report_options {
    size_t size;          /**< sizeof(kvant_report_options), set by kvant_report_options_init */
    const char* by;       /**< "day", "month", "year" or "billing"; NULL: the report's default (month; for the
                               estimate billing) */
    int billing_day;      /**< 1..31; 0: each meter's organisation's, else 1 */
    int complete_only;    /**< nonzero: leave incomplete periods out */
    const char* group;    /**< "meter" (the default), "point", "account", "abonent", "building" or
                               "organization" */
    unsigned threads;     /**< worker threads, 0..256 (more: KVANT_E_CONFIG); 0: one per core */
    int64_t from;         /**< Unix seconds: readings before it are not read (INT64_MIN: no bound) */
    int64_t to;           /**< Unix seconds, excluded (INT64_MAX: no bound) */
    const char* resource; /**< only meters of this resource ("electricity", "cold_water", "hot_water", "heat",
                               "gas", "wastewater"); NULL: every meter */
    const char* split_source; /**< kvant_report_split's zones: "auto" (NULL: a meter's own tariff registers
                                   when it has one per zone, else the schedule), "schedule" or "registers" */
} kvant_report_options;

/** Sets the fields of *options to their defaults (NULL strings: month, per meter, every meter; every reading)
 *  and `size` to what both sides know: min(size, the library's sizeof). Pass sizeof *options: a host built
 *  against an older, shorter struct then has only its own bytes written. Returns KVANT_OK, or
 *  KVANT_E_INVALID_ARGUMENT for NULL or a size that does not reach `size` itself. */
KVANT_C_API int kvant_report_options_init(kvant_report_options* options, size_t size);

/** `kvant consumption`: consumption per meter (or per group) and period, columns
 *  meter,period,register,value,complete (per group: group,resource,role,period,register,value,complete,
 *  meters). `options` may be NULL (the defaults). On success the caller frees *out with kvant_table_free.
 *  Not thread-safe for one store. */
KVANT_C_API int kvant_report_consumption(kvant_table** out, const kvant_store* store,
                                         const kvant_report_options* options);

/** `kvant split`: consumption per tariff zone, columns meter,period,zone,value,complete (per group:
 *  group,role,period,zone,value,complete,meters). `schedule` is the
 *  JSON text of a schedule (docs/tariffs.md) or of an OpenEI URDB item when it begins with '{', a preset name
 *  ("single", "two-zone", "three-zone"), the path of a schedule or URDB file, or the id of a schedule stored
 *  in the store (what the tool's --schedule and Python take: io/tariff_files.hpp load_schedule); none of
 *  them: KVANT_E_CONFIG. */
KVANT_C_API int kvant_report_split(kvant_table** out, const kvant_store* store, const char* schedule,
                                   const kvant_report_options* options);

/** `kvant cost`: columns meter,period,zone,rate_from,quantity,price,amount,complete (per group:
 *  group,role,period,amount,complete,meters). `schedule` as for kvant_report_split, or NULL for the stored
 *  schedules and assignments; `rates_csv` the text of a rates CSV (zone,from,price), or NULL for the stored
 *  rates. */
KVANT_C_API int kvant_report_cost(kvant_table** out, const kvant_store* store, const char* schedule,
                                  const char* rates_csv, const kvant_report_options* options);

/** `kvant verification`: meter,model,base,next,expires,state,failed_for_billing,service_life_end for every
 *  meter in service on the date of `at` (Unix seconds). */
KVANT_C_API int kvant_report_verification(kvant_table** out, const kvant_store* store, int64_t at);

/** `kvant estimate`: billing periods up to `at` (Unix seconds) estimated by the ПП 354 ladder; the tool's
 *  columns. Normatives come from the store. */
KVANT_C_API int kvant_report_estimate(kvant_table** out, const kvant_store* store, int64_t at,
                                      const kvant_report_options* options);

/** `kvant anomalies detect`: runs every anomaly rule (docs/anomalies.md) over the meters of the store as of
 *  `now` (Unix seconds; readings after it are not read) and stores what it finds: a new anomaly opens, one
 *  found again keeps its status. *found_out (when not NULL) gets the number found. The default thresholds.
 *  Not thread-safe for one store. */
KVANT_C_API int kvant_anomalies_detect(size_t* found_out, kvant_store* store, int64_t now);

/** `kvant anomalies list`: key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,
 *  message_ru,message_en for the stored anomalies of `status` ("open", "resolved", or NULL for all) and of
 *  `meter` (NULL for every meter). */
KVANT_C_API int kvant_anomalies_list(kvant_table** out, const kvant_store* store, const char* status,
                                     const char* meter);

/** Marks the stored anomaly `key` resolved at `at` (Unix seconds) by `by`, with an optional `note` (NULL for
 *  none). KVANT_E_NOT_FOUND when no anomaly has that key. Not thread-safe for one store. */
KVANT_C_API int kvant_anomaly_resolve(kvant_store* store, const char* key, int64_t at, const char* by,
                                      const char* note);

/* ---- meter protocol frames (decode) ---- */

typedef struct kvant_decoder kvant_decoder;
typedef struct kvant_frame kvant_frame;

/** How a decoder is made. Initialise it with kvant_decoder_options_init(&options, sizeof options), then
 * change fields. The struct only grows at the end (as kvant_report_options). Strings are read during the call
 * only. */
typedef struct kvant_decoder_options {
    size_t size;     /**< sizeof(kvant_decoder_options), set by kvant_decoder_options_init */
    const char* crc; /**< wireless M-Bus: are the link layer CRCs still in the telegrams? "detect" (NULL: the
                          default: checked, and taken as removed when they do not match), "present" or
                          "absent" */
    const char*
        keys; /**< AES keys as `ID=HEX` lines (an id "12345678" or an address "mbus:KAM-12345678-01-07",
                   '=', 32 hex digits; blank lines and '#' comments allowed), as `kvant decode --keys`
                   reads them; NULL: none */
    const char* dialect; /**< IEC 62056-21 block check: "detect" (NULL: the default: the standard's XOR or
                              Energomera's sum mod 128), "standard" or "energomera" */
    const char* meter;   /**< kvant_store_ingest_hex: the serial of the meter whose frames carry no address
                              (a DLMS session over HDLC); NULL: such frames are unmatched */
    int round_excess;    /**< kvant_store_ingest_hex: 1 stores IEC and DLMS values with more decimals than
                              millionths (Energomera's seven) rounded half to even; 0 (the default) skips them */
} kvant_decoder_options;

/** Sets *options to the defaults (crc detect, no keys) and `size` to min(size, the library's sizeof).
 *  KVANT_E_INVALID_ARGUMENT for NULL or a size that does not reach `size` itself. */
KVANT_C_API int kvant_decoder_options_init(kvant_decoder_options* options, size_t size);

/** Makes a decoder of `protocol` ("mbus": wired M-Bus, EN 13757-2/-3; "wmbus": wireless M-Bus, EN 13757-4 and
 *  OMS; "iec62056-21": IEC 62056-21 messages and readouts; "dlms": DLMS/COSEM APDUs, bare or in the TCP
 *  wrapper; "hdlc": DLMS/COSEM over HDLC; another: KVANT_E_CONFIG listing the known ones). A DLMS decoder
 *  keeps the session of the frames it decodes (the requests that name the answers' objects, scaler_units,
 *  capture objects, partial segments and blocks): one decoder a meter's conversation. `options` may be NULL
 * (the defaults). A bad key line: KVANT_E_PARSE naming its line (never the key's digits). The decoder holds
 * its keys and the formats of the compact wireless frames it has seen. The caller frees *out with
 * kvant_decoder_free. One decoder is used by one thread at a time; make one a thread. */
KVANT_C_API int kvant_decoder_new(kvant_decoder** out, const char* protocol,
                                  const kvant_decoder_options* options);
/** Frees a decoder; NULL does nothing. Frames it decoded stay valid. */
KVANT_C_API void kvant_decoder_free(kvant_decoder* decoder);
/** Adds (or replaces) the AES-128 key of a meter: `meter` an id or a device address, `hex` 32 hex digits
 *  (spaces allowed). Bad text: KVANT_E_PARSE (the message never repeats the key). */
KVANT_C_API int kvant_decoder_add_key(kvant_decoder* decoder, const char* meter, const char* hex);

/** Forgets a DLMS decoder's partial transfers and pending requests (a new association), keeping the
 *  scaler_units and capture objects it has learnt. Does nothing for other protocols. */
KVANT_C_API int kvant_decoder_restart(kvant_decoder* decoder);

/** A new, empty frame to decode into; reuse it for a stream of frames (its buffers keep their capacity, so
 *  decoding does not allocate once they have grown). The caller frees it with kvant_frame_free. */
KVANT_C_API int kvant_frame_new(kvant_frame** out);
/** Frees a frame; NULL does nothing. */
KVANT_C_API void kvant_frame_free(kvant_frame* frame);

/** Decodes `size` bytes into `frame` (emptied first): a frame that is not a valid frame of the protocol is a
 *  result, not a failure: the call returns KVANT_OK and kvant_frame_ok(frame) is 0, with the status, byte
 *  offset and message. Only bad arguments (KVANT_E_INVALID_ARGUMENT) and out of memory fail the call. Strings
 *  and bytes the frame's accessors return are valid until the next decode into it or its kvant_frame_free. */
KVANT_C_API int kvant_decoder_decode(kvant_decoder* decoder, const uint8_t* bytes, size_t size,
                                     kvant_frame* frame);

/** 1 when the frame decoded, 0 when not (or for NULL, or a frame not decoded into yet). */
KVANT_C_API int kvant_frame_ok(const kvant_frame* frame);
/** Why the frame did not decode: "ok", "truncated", "malformed", "checksum", "unsupported", "key_missing" (no
 *  key for an encrypted meter), "key_wrong" (the key's check failed), "unknown_format" (a compact frame whose
 *  format no earlier frame showed); "" before the first decode. A static string; NULL for NULL. */
KVANT_C_API const char* kvant_frame_status_name(const kvant_frame* frame);
/** The byte offset in the caller's bytes where decoding stopped (0 when ok); -1 for NULL. */
KVANT_C_API int64_t kvant_frame_error_offset(const kvant_frame* frame);
/** "byte 12: expected 0x16 (stop byte), found 0x15" ("" when ok); NULL for NULL. */
KVANT_C_API const char* kvant_frame_error_message(const kvant_frame* frame);
/** The decoder's name ("mbus", "wmbus"); "" before a decode, NULL for NULL. */
KVANT_C_API const char* kvant_frame_protocol(const kvant_frame* frame);
/** 1 when the frame names its meter (M-Bus: the secondary address; IEC 62056-21: a serial; DLMS: a system
 *  title), else 0 (a wired short header, a plain DLMS APDU, a frame that did not decode). */
KVANT_C_API int kvant_frame_has_address(const kvant_frame* frame);
/** The manufacturer's three letters ("ACW"); "" without an address and for IEC and DLMS addresses; NULL for
 *  NULL. */
KVANT_C_API const char* kvant_frame_manufacturer(const kvant_frame* frame);
/** The identification number as text: eight digits ("11490378"), or eight hex digits when the meter's id is
 * not BCD; an IEC serial ("009218054"); a DLMS system title's 16 hex digits; "" without an address; NULL for
 * NULL. */
KVANT_C_API const char* kvant_frame_id(const kvant_frame* frame);
/** The device address text a meter is registered with: "mbus:ACW-11490378-0E-16", "iec:009218054",
 *  "dlms:4D4D4D0000BC614E" (docs/ingest.md); "" without an address; NULL for NULL. */
KVANT_C_API const char* kvant_frame_address(const kvant_frame* frame);
/** The header's bytes, 0..255: version, medium (device type: 0x07 water, 0x04 heat, ...), access number,
 *  status byte (EN 13757-3: bits 0-1 application errors, 2 power low, 3 permanent error, 4 temporary error).
 *  -1 for NULL. */
KVANT_C_API int kvant_frame_version(const kvant_frame* frame);
KVANT_C_API int kvant_frame_medium(const kvant_frame* frame);
KVANT_C_API int kvant_frame_access_number(const kvant_frame* frame);
KVANT_C_API int kvant_frame_status(const kvant_frame* frame);
/** The number of data records (0 for NULL or a frame that did not decode). */
KVANT_C_API size_t kvant_frame_record_count(const kvant_frame* frame);

/* Record i of a frame, 0 <= i < kvant_frame_record_count. For a NULL frame or i out of range the string
 * accessors return NULL and the number accessors -1, with the reason in the last error. */

/** The quantity ("energy", "volume", "flow_temperature", "time_point", "fabrication_number", ...; "" when the
 *  VIF says none; docs/decode.md lists them). */
KVANT_C_API const char* kvant_frame_record_quantity(const kvant_frame* frame, size_t i);
/** The unit of the value ("Wh", "m3", ...; "" for none; a plain-text VIF's unit is the meter's text). */
KVANT_C_API const char* kvant_frame_record_unit(const kvant_frame* frame, size_t i);
/** The value as exact text, as `kvant decode` prints it: a decimal after the VIF's scale ("-12.34", "1200",
 *  never via a double), a date or time in ISO 8601 ("2024-03-01", "2024-03-01T12:30"), text as the meter
 *  sent it, other data (manufacturer specific) as hex digits; "" where `kvant decode` prints null (no data,
 *  data invalid for its DIF, a date the meter marks invalid, a plain-text unit's record). */
KVANT_C_API const char* kvant_frame_record_value(const kvant_frame* frame, size_t i);
/** "instantaneous", "maximum", "minimum" or "error". */
KVANT_C_API const char* kvant_frame_record_function(const kvant_frame* frame, size_t i);
/** The storage number (0 the current value; others historic), tariff and subunit of the record's DIB. */
KVANT_C_API int64_t kvant_frame_record_storage(const kvant_frame* frame, size_t i);
KVANT_C_API int64_t kvant_frame_record_tariff(const kvant_frame* frame, size_t i);
KVANT_C_API int64_t kvant_frame_record_subunit(const kvant_frame* frame, size_t i);
/* IEC 62056-21 and DLMS/COSEM records. */
/** The OBIS code: "1-0:1.8.0*255" (DLMS), or the groups an IEC address gave ("1.8.0"); "" when none. */
KVANT_C_API const char* kvant_frame_record_obis(const kvant_frame* frame, size_t i);
/** An IEC 62056-21 data set's address as written ("1.8.0", "ET0PE"); "" for other records. */
KVANT_C_API const char* kvant_frame_record_name(const kvant_frame* frame, size_t i);
/** The DLMS interface class (3 register, 7 profile generic, ...) and attribute; 0 when unknown. */
KVANT_C_API int64_t kvant_frame_record_class_id(const kvant_frame* frame, size_t i);
KVANT_C_API int64_t kvant_frame_record_attribute(const kvant_frame* frame, size_t i);
/** The scaler of a DLMS record: applied to a register value (value = raw × 10^scaler), or the one a
 *  scaler_unit record gives; KVANT_NULL_INT64 when there is none (another attribute, or a register value
 *  whose scaler_unit the session has not seen: its value is the raw integer). */
KVANT_C_API int64_t kvant_frame_record_scaler(const kvant_frame* frame, size_t i);

/** The record's bytes (DIB, VIB, data) as decrypted and with CRCs removed; *size_out gets their number. NULL
 *  (and *size_out 0) for a NULL frame or i out of range. */
KVANT_C_API const uint8_t* kvant_frame_record_raw(const kvant_frame* frame, size_t i, size_t* size_out);

/** The frame as the JSON object `kvant decode` prints for it (one line, no newline): {"ok": true, "protocol",
 *  "manufacturer", "id", ..., "records": [...], ...} or {"ok": false, "error": {...}} (docs/ingest.md). The
 *  caller frees *out with kvant_string_free. */
KVANT_C_API int kvant_frame_to_json(char** out, const kvant_frame* frame);

/** `kvant ingest`: decodes the hex frames of `hex_text` (one a line, spaces allowed, '#' comments), finds
 * each frame's meter by its device address (the meters' `address`), and stores their readings and events in
 * one transaction (all or nothing). `received` (Unix seconds) is when the frames arrived: the time of current
 *  values whose frame has no time of its own. `on_conflict` (a KVANT_CONFLICT_*) says what a reading or event
 *  stored already with another value does (KVANT_CONFLICT_FAIL: the call fails naming the frame's line, and
 *  nothing is stored). `options` may be NULL. A frame that does not decode is rejected
 *  and one whose meter the store does not know is unmatched: both are reported, neither fails the call. A
 *  line that is not hex fails the call (KVANT_E_PARSE naming the line) and stores nothing. *summary_out (when
 *  not NULL) gets a JSON object the caller frees with kvant_string_free:
 *  {"frames", "decoded", "readings_written", "readings_unchanged", "events_written", "records_skipped",
 *   "rejected": [{"line", "status", "offset", "message"}], "unmatched": [{"line", "address", "reason",
 *   "hex"}]} (unmatched: no meter has the frame's address, or two meters have it).
 *  *frames_out, *stored_out (when not NULL) get the number of frames read and of readings written, for a
 *  caller that wants no JSON. Not thread-safe for one store. */
KVANT_C_API int kvant_store_ingest_hex(char** summary_out, size_t* frames_out, size_t* stored_out,
                                       kvant_store* store, const char* protocol, const char* hex_text,
                                       int64_t received, int on_conflict,
                                       const kvant_decoder_options* options);

/* ---- result tables ---- */

/* Column types: what kvant_table_get_int64 gives for a cell. */
#define KVANT_COLUMN_TEXT 0         /**< text only (kvant_table_get_int64 fails) */
#define KVANT_COLUMN_INTEGER 1      /**< a count */
#define KVANT_COLUMN_NUMBER 2       /**< an exact decimal in millionths (scale 6) */
#define KVANT_COLUMN_CURRENCY 3     /**< money in kopecks (scale 2) */
#define KVANT_COLUMN_BOOLEAN 4      /**< 0 or 1 */
#define KVANT_COLUMN_TIMESTAMP 5    /**< Unix seconds (UTC) */
#define KVANT_COLUMN_LOCAL_PERIOD 6 /**< a period's start in Unix seconds; its text is the local label */

/** A null cell's value from kvant_table_get_int64 (its text is ""). */
#define KVANT_NULL_INT64 INT64_MIN

/** Frees a table; NULL does nothing. Call it once no other thread reads it. */
KVANT_C_API void kvant_table_free(kvant_table* table);
/** The number of rows (0 for NULL). Thread-safe, as every accessor of a table. */
KVANT_C_API size_t kvant_table_rows(const kvant_table* table);
/** The number of columns (0 for NULL). */
KVANT_C_API size_t kvant_table_columns(const kvant_table* table);
/** The name of column `col` (the CSV header's); NULL for NULL or out of range. Valid until the table is
 *  freed. */
KVANT_C_API const char* kvant_table_column_name(const kvant_table* table, size_t col);
/** The KVANT_COLUMN_* type of column `col`, or KVANT_E_INVALID_ARGUMENT. */
KVANT_C_API int kvant_table_column_type(const kvant_table* table, size_t col);
/** The power of ten kvant_table_get_int64 scales column `col` by (6 number, 2 currency, else 0), or
 *  KVANT_E_INVALID_ARGUMENT. */
KVANT_C_API int kvant_table_column_scale(const kvant_table* table, size_t col);
/** The index of the column named `name` in *col_out; KVANT_E_NOT_FOUND when there is none. */
KVANT_C_API int kvant_table_find_column(size_t* col_out, const kvant_table* table, const char* name);
/** A cell as a scaled integer: millionths (number), kopecks (currency), Unix seconds (timestamp, period
 *  start), a count, 0/1; KVANT_NULL_INT64 for a null cell. KVANT_E_INVALID_ARGUMENT for a text column or an
 *  index out of range. Thread-safe. */
KVANT_C_API int kvant_table_get_int64(int64_t* out, const kvant_table* table, size_t col, size_t row);
/** A cell as the CSV shows it ("" when null). *out is valid until the table is freed; never free it.
 *  Thread-safe. */
KVANT_C_API int kvant_table_get_text(const char** out, const kvant_table* table, size_t col, size_t row);
/** 1 when the cell is null, 0 when not, KVANT_E_INVALID_ARGUMENT for a bad table or index. */
KVANT_C_API int kvant_table_is_null(const kvant_table* table, size_t col, size_t row);
/** The table as CSV text (what the `kvant` tool prints). The caller frees *out with kvant_string_free. */
KVANT_C_API int kvant_table_to_csv(char** out, const kvant_table* table);
/** The table as a JSON array of objects, one a row, keyed by column name: numbers and money as exact decimal
 *  strings ("12.5", "61.75"), integers as JSON integers, booleans as true/false, timestamps as ISO 8601 UTC
 *  strings, periods as their labels, null cells as null. The caller frees *out with kvant_string_free. */
KVANT_C_API int kvant_table_to_json(char** out, const kvant_table* table);

#ifdef __cplusplus
}
#endif

#endif /* KVANT_H */
