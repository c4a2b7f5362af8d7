// Uses the installed package: a store, an import, a decimal sum. Prints a line the test checks.
#include <kvant/kvant.hpp>

#include <iostream>

int main() {
    kvant::memory_store s;
    kvant::import_csv(s, kvant::table_kind::organizations, "id,name,zone\norg,УК,360\n", "o.csv");
    const auto sum = kvant::decimal::parse("48880.10") + kvant::decimal::parse("49.25");
    std::cout << "kvant " << kvant::version_string() << " "
              << s.find<kvant::organization>("org")->time_zone->name() << " " << kvant::to_string(sum)
              << "\n";
    return 0;
}
