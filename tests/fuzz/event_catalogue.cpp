// The event catalogue JSON (io/event_catalogue.hpp). Properties: parse throws only kvant::error; an accepted
// catalogue classifies events of every journal without throwing, and a found entry has the journal and code
// asked for.
#include "kvant/io/event_catalogue.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<kvant::event_catalogue> cat;
    if (kvant::fuzz::fails_cleanly(
            [&] { cat = kvant::event_catalogue::parse(kvant::fuzz::text_of(data, size)); }))
        return 0;
    for (int journal = -1; journal <= 10; ++journal)
        for (int code = -1; code <= 70; ++code) {
            if (const auto* e = cat->find(journal, code))
                KVANT_FUZZ_CHECK(e->journal == journal && e->code == code, "find gives another entry");
            kvant::meter_event ev;
            ev.journal = journal;
            ev.code = code;
            kvant::fuzz::fails_cleanly([&] { (void)cat->classify(ev); });
        }
    return 0;
}
