// The message catalogue's render (model/message.hpp, docs/messages.md): any code, any language, any
// parameters. The first byte picks the code (value % the number of codes), the second the language; the rest
// is the parameters, one `name=value` per line (a line without '=' is a name with an empty value), so that
// names like `values.3` (the items of a `{name*}` list) and values holding `{`, `[` or `]` come up.
// Properties:
//   - render never throws anything but a kvant::error, and never reads out of bounds (ASan);
//   - it is a function of the message: rendering again gives the same text;
//   - the text is bounded by the template and the values (a value is copied, never expanded as a template);
//   - the message's JSON (as an anomaly stores it) reads back to the same message, and renders the same.
#include "fuzz.hpp"
#include "kvant/model/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kvant;
    if (size < 2) return 0;
    message m;
    m.code = static_cast<message_code>(data[0] % message_code_text.names.size());
    const auto lang = static_cast<language>(data[1] % language_text.names.size());
    const std::string_view rest = fuzz::text_of(data + 2, size - 2);
    std::size_t total_values = 0;
    for (std::size_t at = 0; at <= rest.size();) {
        std::size_t end = rest.find('\n', at);
        if (end == std::string_view::npos) end = rest.size();
        const std::string_view line = rest.substr(at, end - at);
        const auto eq = line.find('=');
        const std::string name(line.substr(0, eq));
        const std::string value(eq == std::string_view::npos ? std::string_view{} : line.substr(eq + 1));
        total_values += value.size();
        m.set(name, value);
        at = end + 1;
    }
    std::string text;
    if (fuzz::fails_cleanly([&] { text = render(m, lang); })) return 0;
    std::string again;
    if (fuzz::fails_cleanly([&] { again = render(m, lang); })) fuzz::fail("render failed the second time");
    KVANT_FUZZ_CHECK(again == text, "render is not a function of the message");
    // bounded: the template's own text plus the values, each at most once per item (a list repeats its item
    // template once per value); a generous bound that still catches a value expanded into itself
    const std::size_t bound =
        (message_template(m.code, lang).size() + 256) * (m.params.size() + 1) + total_values * 4 + 1024;
    KVANT_FUZZ_CHECK(text.size() <= bound, text.substr(0, 200));
    // stored as JSON and read back
    nlohmann::json j = m;
    message back;
    if (fuzz::fails_cleanly([&] { back = message_of(j, "anomaly"); })) {
        // only text that is not UTF-8 may be refused on the way back; the dump refuses it first
        bool utf8 = true;
        try {
            (void)j.dump();
        } catch (const nlohmann::json::type_error&) {
            utf8 = false;
        }
        KVANT_FUZZ_CHECK(!utf8, "a message's JSON does not read back");
        return 0;
    }
    KVANT_FUZZ_CHECK(back == m, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return 0;
}
