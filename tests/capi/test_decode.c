/* Meter protocol frames from C: a wired M-Bus long frame written out by hand and decoded field by field, bad
 * frames as results (not failed calls) with their status and byte offset, the decoder's options and keys, the
 * accessors' argument checks, the frame as JSON, and the first frame of the libmbus corpus when it is there.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A wired M-Bus long frame (EN 13757-2 §5, EN 13757-3), 49 bytes:
 *   68 2B 2B 68       start, L = 0x2B = 43 (C through the last record), L again, start
 *   08 05 72          C = 0x08 RSP_UD, A = 5 (primary address), CI = 0x72 (long header)
 *   78 56 34 12       id 12345678 (BCD, least significant byte first)
 *   2D 2C             manufacturer 0x2C2D = (11 << 10) | (1 << 5) | 13 = "KAM"
 *   01 07 55 00 00 00 version 1, medium 0x07 (water), access number 0x55, status 0, signature 0000
 *   04 13 D2 04 00 00 DIF 04 (32-bit integer), VIF 13 (volume, 10^(3-6) m3): 0x4D2 = 1234 -> 1.234 m3
 *   0A 66 34 F2       DIF 0A (4-digit BCD), VIF 66 (external temperature, 10^(2-3) C): digits F234, the top
 *                     nibble F marks negative BCD (EN 13757-3 Annex B) -> -234 -> -23.4 C
 *   01 FD 17 05       DIF 01 (8-bit integer), VIF FD + VIFE 17 (error flags): 5
 *   42 6C 7F 2C       DIF 42 (16-bit, storage number 1), VIF 6C (date, type G): 0x2C7F -> day 0x7F & 31 = 31,
 *                     month 0x2C & 15 = 12, year (0x2C >> 4) << 3 | (0x7F >> 5) = 2 << 3 | 3 = 19 ->
 * 2019-12-31 84 10 06 40 E2 01 00 DIF 84 (32-bit, a DIFE follows), DIFE 10 (tariff 1, storage 0, subunit 0),
 * VIF 06 (energy, 10^(6-3) Wh): 0x1E240 = 123456 -> 123456000 Wh 01 3B FF          DIF 01 (8-bit integer,
 * signed), VIF 3B (volume flow, 10^(3-6) m3/h): 0xFF = -1 -> -0.001 37 16             checksum (sum of the 43
 * bytes C..FF mod 256 = 0x37), stop */
static const uint8_t long_frame[] = {
    0x68, 0x2B, 0x2B, 0x68, 0x08, 0x05, 0x72, 0x78, 0x56, 0x34, 0x12, 0x2D, 0x2C, 0x01, 0x07, 0x55, 0x00,
    0x00, 0x00, 0x04, 0x13, 0xD2, 0x04, 0x00, 0x00, 0x0A, 0x66, 0x34, 0xF2, 0x01, 0xFD, 0x17, 0x05, 0x42,
    0x6C, 0x7F, 0x2C, 0x84, 0x10, 0x06, 0x40, 0xE2, 0x01, 0x00, 0x01, 0x3B, 0xFF, 0x37, 0x16};

static void decode_long_frame(void) {
    kvant_decoder* d = NULL;
    kvant_frame* f = NULL;
    size_t raw_size = 0;
    const uint8_t* raw;
    OK(kvant_decoder_new(&d, "mbus", NULL));
    OK(kvant_frame_new(&f));
    CHECK(sizeof long_frame == 49);
    OK(kvant_decoder_decode(d, long_frame, sizeof long_frame, f));
    CHECK(kvant_frame_ok(f) == 1);
    CHECK_STR(kvant_frame_status_name(f), "ok");
    CHECK_STR(kvant_frame_error_message(f), "");
    CHECK_EQ_I64(kvant_frame_error_offset(f), 0);
    CHECK_STR(kvant_frame_protocol(f), "mbus");
    CHECK(kvant_frame_has_address(f) == 1);
    CHECK_STR(kvant_frame_manufacturer(f), "KAM");
    CHECK_STR(kvant_frame_id(f), "12345678");
    CHECK_STR(kvant_frame_address(f), "mbus:KAM-12345678-01-07");
    CHECK_EQ_I64(kvant_frame_version(f), 1);
    CHECK_EQ_I64(kvant_frame_medium(f), 7);
    CHECK_EQ_I64(kvant_frame_access_number(f), 0x55);
    CHECK_EQ_I64(kvant_frame_status(f), 0);
    CHECK_EQ_I64((int64_t)kvant_frame_record_count(f), 6);

    CHECK_STR(kvant_frame_record_quantity(f, 0), "volume");
    CHECK_STR(kvant_frame_record_unit(f, 0), "m3");
    CHECK_STR(kvant_frame_record_value(f, 0), "1.234");
    CHECK_STR(kvant_frame_record_function(f, 0), "instantaneous");
    CHECK_EQ_I64(kvant_frame_record_storage(f, 0), 0);
    raw = kvant_frame_record_raw(f, 0, &raw_size);
    CHECK(raw_size == 6 && raw && memcmp(raw, long_frame + 19, 6) == 0);

    CHECK_STR(kvant_frame_record_quantity(f, 1), "external_temperature");
    CHECK_STR(kvant_frame_record_value(f, 1), "-23.4");

    CHECK_STR(kvant_frame_record_quantity(f, 2), "error_flags");
    CHECK_STR(kvant_frame_record_value(f, 2), "5");

    CHECK_STR(kvant_frame_record_quantity(f, 3), "time_point");
    CHECK_STR(kvant_frame_record_value(f, 3), "2019-12-31");
    CHECK_EQ_I64(kvant_frame_record_storage(f, 3), 1);

    CHECK_STR(kvant_frame_record_quantity(f, 4), "energy");
    CHECK_STR(kvant_frame_record_unit(f, 4), "Wh");
    CHECK_STR(kvant_frame_record_value(f, 4), "123456000");
    CHECK_EQ_I64(kvant_frame_record_tariff(f, 4), 1);
    CHECK_EQ_I64(kvant_frame_record_subunit(f, 4), 0);
    CHECK_EQ_I64(kvant_frame_record_storage(f, 4), 0);
    raw = kvant_frame_record_raw(f, 4, &raw_size);
    CHECK(raw_size == 7 && raw && memcmp(raw, long_frame + 37, 7) == 0);

    CHECK_STR(kvant_frame_record_quantity(f, 5), "volume_flow");
    CHECK_STR(kvant_frame_record_value(f, 5), "-0.001");

    /* out of range: NULL / -1 and the reason */
    CHECK(kvant_frame_record_value(f, 6) == NULL);
    CHECK_ERROR_HAS("record 6 is out of range");
    CHECK_EQ_I64(kvant_frame_record_storage(f, 6), -1);
    raw_size = 99;
    CHECK(kvant_frame_record_raw(f, 6, &raw_size) == NULL && raw_size == 0);

    /* the same frame handle reused for a second decode: the values are the second frame's */
    {
        const uint8_t ack = 0xE5;
        OK(kvant_decoder_decode(d, &ack, 1, f));
        CHECK(kvant_frame_ok(f) == 1);
        CHECK_EQ_I64((int64_t)kvant_frame_record_count(f), 0);
        CHECK(kvant_frame_has_address(f) == 0);
        CHECK_STR(kvant_frame_id(f), "");
        CHECK_STR(kvant_frame_manufacturer(f), "");
    }
    kvant_frame_free(f);
    kvant_decoder_free(d);
}

/* Bad bytes are results: the call succeeds and the frame says why, where. */
static void bad_frames(void) {
    kvant_decoder* d = NULL;
    kvant_frame* f = NULL;
    uint8_t bytes[sizeof long_frame];
    size_t n;
    OK(kvant_decoder_new(&d, "mbus", NULL));
    OK(kvant_frame_new(&f));

    /* the checksum byte (offset 4 + 43 = 47) one more than the sum */
    memcpy(bytes, long_frame, sizeof bytes);
    bytes[47] = 0x38;
    OK(kvant_decoder_decode(d, bytes, sizeof bytes, f));
    CHECK(kvant_frame_ok(f) == 0);
    CHECK_STR(kvant_frame_status_name(f), "checksum");
    CHECK_EQ_I64(kvant_frame_error_offset(f), 47);
    CHECK(strlen(kvant_frame_error_message(f)) > 0);
    CHECK_EQ_I64((int64_t)kvant_frame_record_count(f), 0);

    /* the stop byte (offset 48) not 0x16 */
    memcpy(bytes, long_frame, sizeof bytes);
    bytes[48] = 0x15;
    OK(kvant_decoder_decode(d, bytes, sizeof bytes, f));
    CHECK_STR(kvant_frame_status_name(f), "malformed");
    CHECK_EQ_I64(kvant_frame_error_offset(f), 48);

    /* every prefix is a clean failure, its offset within the bytes given */
    for (n = 0; n < sizeof long_frame; ++n) {
        OK(kvant_decoder_decode(d, long_frame, n, f));
        CHECK(kvant_frame_ok(f) == 0);
        CHECK(kvant_frame_error_offset(f) >= 0 && kvant_frame_error_offset(f) <= (int64_t)n);
    }
    /* a prefix that ends inside the records: truncated, the L field promised more */
    OK(kvant_decoder_decode(d, long_frame, 30, f));
    CHECK_STR(kvant_frame_status_name(f), "truncated");

    /* NULL bytes with size 0 is an empty input, not an argument error */
    OK(kvant_decoder_decode(d, NULL, 0, f));
    CHECK(kvant_frame_ok(f) == 0);

    /* a frame that did not decode as JSON: ok false with its error */
    {
        char* json = NULL;
        bytes[48] = 0x15;
        OK(kvant_decoder_decode(d, bytes, sizeof bytes, f));
        OK(kvant_frame_to_json(&json, f));
        CHECK(json && strstr(json, "\"ok\":false") != NULL);
        CHECK(json && strstr(json, "\"offset\":48") != NULL);
        kvant_string_free(json);
    }
    kvant_frame_free(f);
    kvant_decoder_free(d);
}

static void json_of_frame(void) {
    kvant_decoder* d = NULL;
    kvant_frame* f = NULL;
    char* json = NULL;
    OK(kvant_decoder_new(&d, "mbus", NULL));
    OK(kvant_frame_new(&f));
    OK(kvant_decoder_decode(d, long_frame, sizeof long_frame, f));
    OK(kvant_frame_to_json(&json, f));
    CHECK(json && json[0] == '{' && strchr(json, '\n') == NULL);
    CHECK(json && strstr(json, "\"ok\":true") != NULL);
    CHECK(json && strstr(json, "\"manufacturer\":\"KAM\"") != NULL);
    CHECK(json && strstr(json, "\"id\":\"12345678\"") != NULL);
    CHECK(json && strstr(json, "\"value\":\"-23.4\"") != NULL);
    CHECK(json && strstr(json, "\"value\":\"123456000\"") != NULL);
    kvant_string_free(json);
    CHECK_STATUS(kvant_frame_to_json(NULL, f), KVANT_E_INVALID_ARGUMENT);
    kvant_frame_free(f);
    kvant_decoder_free(d);
}

static void decoder_options_and_keys(void) {
    kvant_decoder* d = NULL;
    kvant_decoder_options o;
    OK(kvant_decoder_options_init(&o, sizeof o));
    CHECK(o.size == sizeof o && o.crc == NULL && o.keys == NULL);
    CHECK_STATUS(kvant_decoder_options_init(&o, 1), KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_decoder_options_init(NULL, sizeof o), KVANT_E_INVALID_ARGUMENT);

    CHECK_STATUS(kvant_decoder_new(&d, "modbus", NULL), KVANT_E_CONFIG);
    CHECK(d == NULL);
    CHECK_ERROR_HAS("modbus");
    CHECK_STATUS(kvant_decoder_new(&d, NULL, NULL), KVANT_E_INVALID_ARGUMENT);

    OK(kvant_decoder_options_init(&o, sizeof o));
    o.crc = "sometimes";
    CHECK_STATUS(kvant_decoder_new(&d, "wmbus", &o), KVANT_E_PARSE);
    CHECK_ERROR_HAS("sometimes");

    /* keys as ID=HEX lines; a bad line names its line and never the digits given */
    OK(kvant_decoder_options_init(&o, sizeof o));
    o.crc = "absent";
    o.keys = "# keys\n12345678=000102030405060708090A0B0C0D0E0F\n";
    OK(kvant_decoder_new(&d, "wmbus", &o));
    OK(kvant_decoder_add_key(d, "mbus:KAM-87654321-01-07",
                             "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"));
    CHECK_STATUS(kvant_decoder_add_key(d, "87654321", "C0FFEE"), KVANT_E_PARSE);
    CHECK(strstr(kvant_last_error(), "C0FFEE") == NULL);
    kvant_decoder_free(d);
    d = NULL;
    o.keys = "12345678=000102030405060708090A0B0C0D0E0F\n87654321=DEADBEEF\n";
    CHECK_STATUS(kvant_decoder_new(&d, "wmbus", &o), KVANT_E_PARSE);
    CHECK(d == NULL);
    CHECK_ERROR_HAS("2");
    CHECK(strstr(kvant_last_error(), "DEADBEEF") == NULL);

    /* an options struct of an older, shorter header (only `size` and `crc`): keys not read */
    {
        kvant_decoder_options old;
        OK(kvant_decoder_options_init(&old, sizeof old));
        old.size = offsetof(kvant_decoder_options, keys);
        old.crc = "present";
        old.keys = "not read";
        OK(kvant_decoder_new(&d, "wmbus", &old));
        kvant_decoder_free(d);
    }

    /* NULL handles */
    CHECK_STATUS(kvant_decoder_decode(NULL, long_frame, 1, NULL), KVANT_E_INVALID_ARGUMENT);
    CHECK(kvant_frame_ok(NULL) == 0);
    CHECK(kvant_frame_status_name(NULL) == NULL);
    CHECK_EQ_I64(kvant_frame_error_offset(NULL), -1);
    CHECK_EQ_I64(kvant_frame_version(NULL), -1);
    CHECK(kvant_frame_record_count(NULL) == 0);
    CHECK(kvant_frame_record_quantity(NULL, 0) == NULL);
    CHECK_ERROR_HAS("frame is NULL");
    kvant_decoder_free(NULL);
    kvant_frame_free(NULL);
}

/* kvant ingest from C: two frames of meter W1 (registered with the address mbus:KAM-12345678), one frame of
 * meter 87654321 that the store does not know, one with a wrong checksum. */
static void ingest_hex(void) {
    kvant_store* s = NULL;
    char* summary = NULL;
    size_t frames = 0, stored = 0, n = 0;
    kvant_readings* r = NULL;
    const int64_t* values;
    /* the long frame above with id bytes 21 43 65 87 (meter 87654321): checksum 0x37 + 0x150 - 0x114 = 0x73
     */
    const char* text =
        "# W1, then an unknown meter, then a wrong checksum, then W1 again\n"
        "68 2B 2B 68 08 05 72 78 56 34 12 2D 2C 01 07 55 00 00 00 04 13 D2 04 00 00 0A 66 34 F2 01 FD 17 05 "
        "42 6C 7F 2C 84 10 06 40 E2 01 00 01 3B FF 37 16\n"
        "68 2B 2B 68 08 05 72 21 43 65 87 2D 2C 01 07 55 00 00 00 04 13 D2 04 00 00 0A 66 34 F2 01 FD 17 05 "
        "42 6C 7F 2C 84 10 06 40 E2 01 00 01 3B FF 73 16\n"
        "68 2B 2B 68 08 05 72 78 56 34 12 2D 2C 01 07 55 00 00 00 04 13 D2 04 00 00 0A 66 34 F2 01 FD 17 05 "
        "42 6C 7F 2C 84 10 06 40 E2 01 00 01 3B FF 38 16\n";
    OK(kvant_store_open_memory(&s));
    OK(kvant_store_put_json(s, "organization", "{\"id\": \"org\", \"name\": \"Org\", \"zone\": \"UTC\"}"));
    OK(kvant_store_put_json(s, "meter",
                            "{\"serial\": \"W1\", \"organization\": \"org\", \"resource\": \"cold_water\", "
                            "\"address\": \"mbus:KAM-12345678\"}"));
    /* 2024-03-01T12:00:00Z */
    OK(kvant_store_ingest_hex(&summary, &frames, &stored, s, "mbus", text, INT64_C(1709294400),
                              KVANT_CONFLICT_FAIL, NULL));
    CHECK(frames == 3);
    CHECK(stored >= 1);
    CHECK(summary && strstr(summary, "\"frames\":3") != NULL);
    CHECK(summary && strstr(summary, "\"decoded\":2") != NULL);
    CHECK(summary &&
          strstr(summary, "\"rejected\":[{\"line\":4,\"status\":\"checksum\",\"offset\":47") != NULL);
    CHECK(summary &&
          strstr(summary, "\"unmatched\":[{\"line\":3,\"address\":\"mbus:KAM-87654321-01-07\"") != NULL);
    if (summary) printf("ingest summary: %s\n", summary);
    kvant_string_free(summary);
    /* what was stored is W1's, and holds the volume 1.234 m3 (1234000 millionths) */
    {
        const char* meters[1] = {"W1"};
        size_t i;
        int volume = 0;
        OK(kvant_store_read_readings(&r, s, meters, 1, INT64_MIN, INT64_MAX));
        n = kvant_readings_count(r);
        CHECK(n == stored);
        values = kvant_readings_values(r);
        for (i = 0; i < n; ++i)
            if (values[i] == 1234000) volume = 1;
        CHECK(volume);
        kvant_readings_free(r);
    }
    /* the counts alone, no JSON; the same frames again store nothing new */
    OK(kvant_store_ingest_hex(NULL, &frames, &stored, s, "mbus", text, INT64_C(1709294400),
                              KVANT_CONFLICT_FAIL, NULL));
    CHECK(frames == 3 && stored == 0);
    /* text that is not hex fails the call, naming the line, and stores nothing */
    CHECK_STATUS(kvant_store_ingest_hex(&summary, &frames, &stored, s, "mbus", "E5\nnot hex\n", 0,
                                        KVANT_CONFLICT_FAIL, NULL),
                 KVANT_E_PARSE);
    CHECK(summary == NULL && frames == 0 && stored == 0);
    CHECK_ERROR_HAS("kvant_store_ingest_hex:2: byte 1");
    CHECK_STATUS(kvant_store_ingest_hex(NULL, NULL, NULL, s, "modbus", "E5\n", 0, KVANT_CONFLICT_FAIL, NULL),
                 KVANT_E_CONFIG);
    CHECK_STATUS(kvant_store_ingest_hex(NULL, NULL, NULL, NULL, "mbus", "E5\n", 0, KVANT_CONFLICT_FAIL, NULL),
                 KVANT_E_INVALID_ARGUMENT);
    CHECK_STATUS(kvant_store_ingest_hex(NULL, NULL, NULL, s, "mbus", "E5\n", 0, 7, NULL),
                 KVANT_E_INVALID_ARGUMENT);
    kvant_store_free(s);
}

/* The first frame of the libmbus corpus (ACW Itron BM +m), its expectations from the corpus line: id
 * 11490378, ACW, version 14, medium byte 22 (0x16, cold water), access number 10, status 0, 9 records, record
 * 1 volume 54.321 m3 (normalized "54.321000" m^3). Skipped, saying so, when the corpus is not there. */
static void corpus_frame(void) {
    const char* path = KVANT_CORPUS_DIR "/mbus/libmbus_frames.jsonl";
    char line[8192];
    uint8_t bytes[1024];
    size_t n = 0;
    const char* p;
    kvant_decoder* d = NULL;
    kvant_frame* f = NULL;
    FILE* in = fopen(path, "rb");
    if (!in) {
        printf("SKIPPED: corpus frame: %s is not there\n", path);
        return;
    }
    if (!fgets(line, sizeof line, in)) line[0] = '\0';
    fclose(in);
    CHECK(strstr(line, "\"source\": \"libmbus:test/test-frames/ACW_Itron-BM-plus-m.hex\"") != NULL);
    p = strstr(line, "\"hex\": \"");
    CHECK(p != NULL);
    if (!p) return;
    for (p += 8; *p && *p != '"' && n < sizeof bytes; p += 2) {
        unsigned v = 0;
        if (sscanf(p, "%2x", &v) != 1) break;
        bytes[n++] = (uint8_t)v;
    }
    OK(kvant_decoder_new(&d, "mbus", NULL));
    OK(kvant_frame_new(&f));
    OK(kvant_decoder_decode(d, bytes, n, f));
    if (!kvant_frame_ok(f))
        fprintf(stderr, "corpus frame (ACW_Itron-BM-plus-m): %s\n", kvant_frame_error_message(f));
    CHECK(kvant_frame_ok(f) == 1);
    CHECK_STR(kvant_frame_id(f), "11490378");
    CHECK_STR(kvant_frame_manufacturer(f), "ACW");
    CHECK_EQ_I64(kvant_frame_version(f), 14);
    CHECK_EQ_I64(kvant_frame_medium(f), 22);
    CHECK_EQ_I64(kvant_frame_access_number(f), 10);
    CHECK_EQ_I64(kvant_frame_status(f), 0);
    CHECK_EQ_I64((int64_t)kvant_frame_record_count(f), 9);
    CHECK_STR(kvant_frame_record_quantity(f, 1), "volume");
    CHECK_STR(kvant_frame_record_value(f, 1), "54.321");
    kvant_frame_free(f);
    kvant_decoder_free(d);
}

/* An IEC 62056-21 readout block (a data message) under the standard XOR block check:
 *   02                 STX
 *   "C.1.0(009218054)" CR LF      the serial number data set (C = 96): text, leading zeros kept
 *   "1.8.1(012345.67*kWh)" CR LF  A+ in tariff 1: 12345.67 kWh
 *   "!" CR LF 03       the readout's end line, ETX
 *   BCC                the XOR of every byte after STX up to and including ETX (worked out below) */
static void iec_readout(void) {
    static const char body[] = "C.1.0(009218054)\r\n1.8.1(012345.67*kWh)\r\n!\r\n\x03";
    uint8_t msg[64];
    uint8_t bcc = 0;
    size_t n = strlen(body), i;
    kvant_decoder* d = NULL;
    kvant_decoder_options o;
    kvant_frame* f = NULL;
    msg[0] = 0x02;
    memcpy(msg + 1, body, n);
    for (i = 0; i < n; ++i) bcc ^= (uint8_t)body[i];
    msg[n + 1] = bcc;

    OK(kvant_decoder_options_init(&o, sizeof o));
    o.dialect = "standard";
    OK(kvant_decoder_new(&d, "iec62056-21", &o));
    OK(kvant_frame_new(&f));
    OK(kvant_decoder_decode(d, msg, n + 2, f));
    CHECK(kvant_frame_ok(f) == 1);
    CHECK_STR(kvant_frame_address(f), "iec:009218054");
    CHECK(kvant_frame_record_count(f) == 2);
    CHECK_STR(kvant_frame_record_name(f, 1), "1.8.1");
    CHECK_STR(kvant_frame_record_obis(f, 1), "1.8.1");
    CHECK_STR(kvant_frame_record_value(f, 1), "12345.67");
    CHECK_STR(kvant_frame_record_unit(f, 1), "kWh");
    CHECK_EQ_I64(kvant_frame_record_class_id(f, 1), 0);
    CHECK_EQ_I64(kvant_frame_record_scaler(f, 1), KVANT_NULL_INT64);

    /* the same bytes with the block check changed by one: a checksum failure at the BCC's offset */
    msg[n + 1] = (uint8_t)(bcc ^ 1);
    OK(kvant_decoder_decode(d, msg, n + 2, f));
    CHECK(kvant_frame_ok(f) == 0);
    CHECK_STR(kvant_frame_status_name(f), "checksum");
    CHECK_EQ_I64(kvant_frame_error_offset(f), (int64_t)(n + 1));
    kvant_decoder_free(d);

    /* an unknown dialect is named */
    o.dialect = "xor7";
    CHECK_STATUS(kvant_decoder_new(&d, "iec62056-21", &o), KVANT_E_PARSE);
    CHECK_ERROR_HAS("xor7");
    kvant_frame_free(f);
}

/* A DLMS conversation: the client reads a register's scaler_unit, then its value; the session in the decoder
 * names the answers' objects and applies the scaler once.
 *   C0 01 C1 0003 0100010800FF 03 00   Get-Request normal, invoke 0xC1, class 3, 1-0:1.8.0*255, attribute 3
 *   C4 01 C1 00 02 02 0F FE 16 1E      Get-Response: structure {integer -2, enum 30 (Wh)}
 *   C0 01 C1 0003 0100010800FF 02 00   Get-Request of attribute 2 (the value)
 *   C4 01 C1 00 06 0001E240            Get-Response: double-long-unsigned 123456 -> 1234.56 Wh */
static void dlms_register(void) {
    static const uint8_t req3[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
                                   0x01, 0x08, 0x00, 0xFF, 0x03, 0x00};
    static const uint8_t rsp3[] = {0xC4, 0x01, 0xC1, 0x00, 0x02, 0x02, 0x0F, 0xFE, 0x16, 0x1E};
    static const uint8_t req2[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
                                   0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
    static const uint8_t rsp2[] = {0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x01, 0xE2, 0x40};
    kvant_decoder* d = NULL;
    kvant_frame* f = NULL;
    OK(kvant_decoder_new(&d, "dlms", NULL));
    OK(kvant_frame_new(&f));
    /* the value before its scaler_unit is known: the raw integer, no scaler */
    OK(kvant_decoder_decode(d, req2, sizeof req2, f));
    OK(kvant_decoder_decode(d, rsp2, sizeof rsp2, f));
    CHECK(kvant_frame_ok(f) == 1 && kvant_frame_record_count(f) == 1);
    CHECK_STR(kvant_frame_record_value(f, 0), "123456");
    CHECK_EQ_I64(kvant_frame_record_scaler(f, 0), KVANT_NULL_INT64);
    OK(kvant_decoder_decode(d, req3, sizeof req3, f));
    OK(kvant_decoder_decode(d, rsp3, sizeof rsp3, f));
    CHECK(kvant_frame_ok(f) == 1);
    OK(kvant_decoder_decode(d, req2, sizeof req2, f));
    OK(kvant_decoder_decode(d, rsp2, sizeof rsp2, f));
    CHECK(kvant_frame_ok(f) == 1 && kvant_frame_record_count(f) == 1);
    CHECK_STR(kvant_frame_record_obis(f, 0), "1-0:1.8.0*255");
    CHECK_EQ_I64(kvant_frame_record_class_id(f, 0), 3);
    CHECK_EQ_I64(kvant_frame_record_attribute(f, 0), 2);
    CHECK_STR(kvant_frame_record_value(f, 0), "1234.56");
    CHECK_STR(kvant_frame_record_unit(f, 0), "Wh");
    CHECK_EQ_I64(kvant_frame_record_scaler(f, 0), -2);
    /* a restart forgets pending requests: the answer alone names no object */
    OK(kvant_decoder_decode(d, req2, sizeof req2, f));
    OK(kvant_decoder_restart(d));
    OK(kvant_decoder_decode(d, rsp2, sizeof rsp2, f));
    CHECK(kvant_frame_ok(f) == 1 && kvant_frame_record_count(f) == 1);
    CHECK_STR(kvant_frame_record_obis(f, 0), "");
    CHECK_STATUS(kvant_decoder_restart(NULL), KVANT_E_INVALID_ARGUMENT);
    kvant_frame_free(f);
    kvant_decoder_free(d);
}

int main(void) {
    decode_long_frame();
    iec_readout();
    dlms_register();
    bad_frames();
    json_of_frame();
    decoder_options_and_keys();
    ingest_hex();
    corpus_frame();
    return check_done("test_capi_decode");
}
