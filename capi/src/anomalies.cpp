// kvant_anomalies_detect: every anomaly rule over the meters of a store (reports/anomaly_detection.hpp, what
// `kvant anomalies detect` runs), stored as the tool stores them.
#include <vector>

#include "barrier.hpp"
#include "handles.hpp"
#include "kvant/reports/anomaly_detection.hpp"

using namespace kvant;
using namespace kvant::capi;

extern "C" {

int kvant_anomalies_detect(size_t* found_out, kvant_store* s, int64_t now_unix) {
    return barrier([&] {
        constexpr const char* fn = "kvant_anomalies_detect";
        if (found_out) *found_out = 0;
        store& db = *need(s, fn, "store")->db;
        detection_options o;
        o.at = from_unix(now_unix);
        const std::vector<anomaly> found = detect_anomalies(db, o);
        db.put_anomalies(found);
        if (found_out) *found_out = found.size();
        return KVANT_OK;
    });
}

}  // extern "C"
