// kvant decode and kvant ingest: hex meter frames (one a line) decoded into JSON lines, or decoded, matched
// to their meters by device address and stored (io/frame_json.hpp, io/frame_ingest.hpp; docs/ingest.md).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"
#include "kvant/io/frame_ingest.hpp"
#include "kvant/io/frame_json.hpp"

namespace kvant::cli {

namespace {

/// The input: a file, or stdin for "-" or no operand.
std::pair<std::string, std::string> read_input(const std::optional<std::string>& operand) {
    if (!operand || *operand == "-") {
        std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        return {std::move(text), "<stdin>"};
    }
    std::ifstream in(*operand, std::ios::binary);
    if (!in) throw storage_error(errc::storage_io, "cannot read " + excerpt(*operand));
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw storage_error(errc::storage_io, "cannot read " + excerpt(*operand));
    return {s.str(), *operand};
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw storage_error(errc::storage_io, "cannot read " + excerpt(path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// --key ID=HEX (repeatable) and --keys FILE into a key ring. A bad key names the meter, never its digits.
void load_keys(const args& a, key_ring& keys) {
    if (auto file = a.get("keys")) keys.add_lines(read_text_file(*file), *file);
    for (const auto& k : a.all("key")) {
        const auto eq = k.find('=');
        if (eq == std::string::npos || eq == 0)
            throw config_error(errc::usage,
                               "--key expects ID=HEX (an id, an mbus: address or a [ak:|bk:|dk:]dlms: system "
                               "title, '=', 32 hex digits)");
        try {
            keys.add(std::string_view(k).substr(0, eq), std::string_view(k).substr(eq + 1));
        } catch (const parse_error& e) {
            throw config_error(errc::usage, "--key: " + e.reason());
        }
    }
}

decoder_config config_of(const args& a, const key_ring& keys, wmbus_format_cache& formats,
                         dlms_session& session) {
    decoder_config c;
    c.keys = &keys;
    c.formats = &formats;
    c.crc = a.choice("crc", crc_mode_text);
    c.bcc = a.choice("dialect", bcc_dialect_text);
    c.session = &session;
    return c;
}

/// The frames of the input: hex lines, or (--input raw) the whole input as one frame, line 1.
std::vector<hex_frame_line> frames_of(const args& a, const std::string& text, const std::string& source) {
    if (a.get("input").value_or("hex") == "raw") {
        std::vector<hex_frame_line> one(1);
        one[0].line = 1;
        one[0].bytes.assign(text.begin(), text.end());
        return one;
    }
    return read_hex_frames(text, source);
}

std::vector<option_spec> decoder_options() {
    return {
        opt::one_of("protocol", "P", {"mbus", "wmbus", "iec62056-21", "dlms", "hdlc"},
                    "mbus: wired M-Bus (EN 13757-2/-3); wmbus: wireless M-Bus (EN 13757-4, OMS); "
                    "iec62056-21: IEC 62056-21 messages and readouts; dlms: DLMS/COSEM APDUs, bare or in "
                    "the TCP wrapper; hdlc: DLMS/COSEM over HDLC")
            .mandatory(),
        opt::one_of("input", "FORM", {"hex", "raw"},
                    "hex: one frame a line in hex digits; raw: the whole input is one frame as it came "
                    "(an IEC 62056-21 readout saved from the port)")
            .defaults_to("hex"),
        opt::text("key", "ID=HEX",
                  "an AES-128 key of a meter: its id (12345678) or address (mbus:KAM-12345678-01-07), or a "
                  "DLMS system title (dlms:4D4D4D0000BC614E) after ak:, bk: or dk: for its authentication, "
                  "broadcast or dedicated key (none: the encryption key), '=', 32 hex digits")
            .repeated(),
        opt::path("keys", "FILE", "a file of ID=HEX lines (# comments)"),
        opt::choice("crc", "MODE", crc_mode_text,
                    "wireless: are the link layer CRCs still in the telegrams (detect: checked, else "
                    "taken as removed)")
            .defaults_to("detect"),
        opt::choice("dialect", "BCC", bcc_dialect_text,
                    "IEC 62056-21 block check: standard (XOR), energomera (sum mod 128) or detect (either)")
            .defaults_to("detect"),
        opt::text("meter", "SERIAL",
                  "the meter whose frames carry no address (a DLMS session over HDLC, an IEC readout "
                  "without a serial)"),
        opt::flag("round-excess",
                  "IEC and DLMS values with more decimals than millionths (Energomera's seven) are stored "
                  "rounded half to even; without it they are skipped, saying so")};
}

int run_decode(const args& a) {
    key_ring keys;
    load_keys(a, keys);
    wmbus_format_cache formats;
    dlms_session session;  // the input is one conversation
    const decoder_registry registry = builtin_decoders();
    auto dec = registry.make(a.require("protocol"), config_of(a, keys, formats, session));
    // with --db, frames of known meters get their readings and events
    std::optional<meter_directory> directory;
    if (a.get("db")) {
        const auto db_handle = open_db(a, open_mode::read_only);
        const store& db = *db_handle;
        directory.emplace(db);  // the meters and their zones are copied: the database closes here
    }
    const meter* pinned = nullptr;  // --meter: the meter of the frames that carry no address
    if (auto serial = a.get("meter")) {
        if (!directory) throw config_error(errc::usage, "--meter needs --db (the meter's zone and kind)");
        pinned = directory->find_serial(*serial);
        if (pinned == nullptr)
            throw config_error(errc::usage, "--meter: meter " + excerpt(*serial) + " is not in the database");
    }
    const instant received = at_option(a);
    const auto [text, source] = read_input(a.operand());
    decoded_frame f;
    const auto print = [&](std::uint64_t line) {
        frame_json_options o;
        o.line = line;
        frame_context c;
        const meter* m = nullptr;
        if (directory && f.ok()) {
            if (const auto address = frame_address(f)) {
                const auto found = directory->matches(*address);
                if (found.size() == 1) m = found.front();
            } else {
                m = pinned;
            }
        }
        if (m != nullptr) {
            c.round_excess = a.flag("round-excess");
            c.meter = m->serial;
            c.measures = m->measures;
            c.time_zone = directory->zone_of(*m);
            c.received = received;
            o.context = &c;
        }
        std::cout << frame_json(f, o) << '\n';
    };
    if (a.get("input").value_or("hex") == "raw") {
        dec->decode(frames_of(a, text, source).front().bytes, f);
        print(1);
        std::cout.flush();
        return std::cout ? 0 : 1;
    }
    std::uint64_t line = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line;
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string_view l = std::string_view(text).substr(pos, end - pos);
        pos = end + 1;
        std::vector<hex_frame_line> frames;
        try {
            frames = read_hex_frames(l, source);
        } catch (const parse_error& e) {
            const auto at = e.where().offset > 0 ? static_cast<std::uint64_t>(e.where().offset - 1) : 0;
            std::cout << frame_error_json(line, "not_hex", at,
                                          "character " + std::to_string(at + 1) + ": " + e.reason())
                      << '\n';
            continue;
        }
        if (frames.empty()) continue;  // blank or a comment
        dec->decode(frames.front().bytes, f);
        print(line);
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
}

int run_ingest(const args& a) {
    key_ring keys;
    load_keys(a, keys);
    wmbus_format_cache formats;
    dlms_session session;
    ingest_options o;
    o.protocol = a.require("protocol");
    o.config = config_of(a, keys, formats, session);
    if (auto m = a.get("meter")) o.meter = *m;
    o.round_excess = a.flag("round-excess");
    o.received = at_option(a);
    o.conflict = a.choice("on-conflict", on_conflict_text);
    const auto [text, source] = read_input(a.operand());
    o.source_name = source;
    // every line is read before the database is touched: a line that is not hex stops here
    const auto frames = frames_of(a, text, source);
    const auto db_handle = open_db(a, open_mode::open);
    store& db = *db_handle;
    const ingest_result r = ingest_frames(db, builtin_decoders(), frames, o);
    std::cout << "frames " << r.frames << ": " << r.decoded << " decoded, " << r.rejected.size()
              << " rejected, " << r.unmatched.size() << " unmatched\n"
              << "readings " << r.readings_written << " written, " << r.readings_unchanged
              << " unchanged; events " << r.events_written << " written; records skipped "
              << r.records_skipped << "\n";
    for (const auto& x : r.rejected)
        std::cout << "rejected: " << source << ":" << x.line << ": " << to_string(x.error.status) << ": "
                  << x.error.message() << "\n";
    for (const auto& x : r.unmatched)
        std::cout << "unmatched: " << source << ":" << x.line << ": "
                  << (x.address.empty() ? std::string("(no address)") : x.address) << ": " << x.reason
                  << "\n";
    if (auto file = a.get("unmatched"))
        write_file_whole(*file, [&](std::ostream& out) {
            out << "# frames of " << source
                << " no meter matched: ingest again once the meters are registered\n";
            for (const auto& x : r.unmatched)
                out << x.hex << "  # line " << x.line << ": "
                    << (x.address.empty() ? std::string("no address") : x.address) << ": " << x.reason
                    << "\n";
        });
    return 0;
}

}  // namespace

std::vector<command> decode_commands() {
    auto decode_opts = decoder_options();
    decode_opts.push_back(db_spec("a database whose meters' frames (by address) get readings and events"));
    decode_opts.push_back(opt::busy_timeout());
    decode_opts.push_back(opt::time("at",
                                    "when the frames were received (frames without their own time); "
                                    "default now"));
    decode_opts.push_back(opt::operand("FILE", "the frames (hex, one a line); '-' or absent: stdin"));
    auto ingest_opts = decoder_options();
    ingest_opts.insert(ingest_opts.begin(), db_spec("the database with the meters' addresses").mandatory());
    ingest_opts.push_back(opt::busy_timeout());
    ingest_opts.push_back(
        opt::time("at", "when the frames were received (frames without their own time); default now"));
    ingest_opts.push_back(
        opt::choice("on-conflict", "POLICY", on_conflict_text, "a reading or event stored with another value")
            .defaults_to("fail"));
    ingest_opts.push_back(opt::path("unmatched", "FILE",
                                    "write the frames no meter matched here, as hex lines to ingest again"));
    ingest_opts.push_back(opt::operand("FILE", "the frames (hex, one a line); '-' or absent: stdin"));
    command decode{
        {"decode",
         "Decodes meter frames (hex, one a line; spaces allowed, # comments) into one JSON object a "
         "line.",
         std::move(decode_opts),
         "Each line gives {\"ok\": true, \"protocol\", \"address\", \"manufacturer\", \"id\", "
         "\"version\", \"medium\",\n\"access_number\", \"status\", \"records\": [...], \"readings\": "
         "[...], \"events\": [...], \"skipped\": [...]} or\n{\"ok\": false, \"error\": {\"status\", "
         "\"offset\", \"message\"}}, with its input \"line\". A bad frame or a line that is\nnot hex "
         "is a result, not a failure: the exit code is 0 when every line was read. Readings and "
         "events\nneed --db (docs/ingest.md). IEC 62056-21 and DLMS frames give \"message\" and their "
         "header keys, and\nrecords of \"obis\", \"class_id\", \"attribute\", \"value\", \"unit\", "
         "\"scaler\". The lines of one input are one\nconversation (a DLMS request names its answer's "
         "object)."},
        run_decode};
    command ingest{
        {"ingest",
         "Decodes meter frames, matches them to meters by address and stores their readings and "
         "events in one\ntransaction.",
         std::move(ingest_opts),
         "Prints the counts, every rejected frame (it did not decode) and every unmatched frame (no "
         "meter has\nits address) with its line. A store error (a conflicting value, a reading "
         "before installation)\nstores nothing. docs/ingest.md."},
        run_ingest};
    return {std::move(decode), std::move(ingest)};
}

}  // namespace kvant::cli
