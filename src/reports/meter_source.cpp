#include "kvant/reports/meter_source.hpp"

#include <algorithm>

#include "kvant/model/validation.hpp"
#include "kvant/store/meter_stream.hpp"

namespace kvant {
inline namespace v0 {

meter_source::~meter_source() = default;

namespace {

bool wanted(const source_options& o, const meter* m) {
    // a meter's resource: its entity's; a meter the fleet does not know counts as electricity
    return !o.only || (m ? m->measures : resource::electricity) == *o.only;
}

/// The meters of a store, streamed through its cursor a group at a time.
class store_meters final : public meter_source {
  public:
    store_meters(const store& s, const source_options& o) : db_(s), options_(o), relations_(load_fleet(s)) {
        for (const auto& m : relations_.meters()) total_ += wanted(options_, &m);
    }

    const fleet& relations() const noexcept override { return relations_; }
    const store* db() const noexcept override { return &db_; }
    std::size_t total() const noexcept override { return total_; }

    bool next_group(std::vector<meter_input>& out, std::size_t max) override {
        out.clear();
        if (!stream_) {  // opened on the first group, sized for the caller's groups
            series_query q;
            q.from = options_.from;
            q.to = options_.to;
            q.provenance = false;
            if (options_.only)
                for (const auto& m : relations_.meters())
                    if (wanted(options_, &m)) q.meters.push_back(m.serial);
            stream_ = std::make_unique<meter_stream>(db_, std::move(q), std::max<std::size_t>(64, max / 2));
        }
        while (out.empty()) {
            if (!stream_->next(group_)) return false;
            for (auto& s : group_) {
                const meter* m = relations_.find_meter(s.serial());
                if (!m || !wanted(options_, m))
                    continue;  // values of a meter the fleet does not know: skipped
                meter_input mi;
                mi.entity = m;
                mi.model = relations_.model_of(*m);
                mi.calendar = relations_.zone_of(*m);
                const organization* org = relations_.organization_of(*m);
                mi.billing_day = org ? org->billing_start_day : 1;
                mi.tariff_registers = relations_.tariff_registers_of(*m);
                mi.series = std::move(s);
                out.push_back(std::move(mi));
            }
        }
        return true;
    }

  private:
    const store& db_;
    source_options options_;
    fleet relations_;
    std::size_t total_ = 0;
    std::unique_ptr<meter_stream> stream_;
    std::vector<meter_series> group_;
};

/// Readings in memory, each meter's series sharing the table's columns.
class table_meters final : public meter_source {
  public:
    /// `owned`: a table no one else sees, changed in place; else `shared`, copied only when it must change.
    table_meters(reading_table* owned, std::shared_ptr<const reading_table> shared, fleet relations,
                 const source_options& o)
        : relations_(std::move(relations)) {
        const reading_table& given = owned ? *owned : *shared;
        std::vector<resource> res;
        bool remap = false;
        if (o.wide) {  // the wide columns are each meter's main quantity
            for (const auto& serial : given.meters()) {
                const meter* m = relations_.find_meter(serial);
                res.push_back(m ? m->measures : resource::electricity);
            }
            // a pass over every row, for nothing when every meter measures electricity
            remap =
                std::any_of(res.begin(), res.end(), [](resource r) { return r != resource::electricity; });
        }
        std::shared_ptr<const reading_table> readings;
        if (owned) {
            if (remap) owned->map_main(res);
            owned->sort();  // nothing to do when grouped
            readings = std::make_shared<const reading_table>(std::move(*owned));
        } else if (remap || !shared->grouped()) {  // a copy only when the table must change
            reading_table copy = *shared;
            if (remap) copy.map_main(res);
            copy.sort();
            readings = std::make_shared<const reading_table>(std::move(copy));
        } else {
            readings = std::move(shared);
        }
        for (auto& s : meter_series::from_table(readings)) {  // shares the table's columns
            meter_input mi;
            mi.entity = relations_.find_meter(s.serial());
            if (!wanted(o, mi.entity)) continue;
            if (mi.entity) {
                mi.model = relations_.model_of(*mi.entity);
                mi.calendar = relations_.zone_of(*mi.entity);
                const organization* org = relations_.organization_of(*mi.entity);
                mi.billing_day = org ? org->billing_start_day : 1;
                mi.tariff_registers = relations_.tariff_registers_of(*mi.entity);
            } else {
                mi.calendar = zone::utc();
            }
            mi.series = std::move(s);
            inputs_.push_back(std::move(mi));
        }
    }

    const fleet& relations() const noexcept override { return relations_; }
    std::size_t total() const noexcept override { return inputs_.size(); }

    bool next_group(std::vector<meter_input>& out, std::size_t max) override {
        out.clear();
        const std::size_t n = std::min(inputs_.size() - next_, std::max<std::size_t>(1, max));
        for (std::size_t i = 0; i < n; ++i) out.push_back(std::move(inputs_[next_ + i]));
        next_ += n;
        return !out.empty();
    }

  private:
    fleet relations_;
    std::vector<meter_input> inputs_;
    std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<meter_source> store_source(const store& s, const source_options& o) {
    return std::make_unique<store_meters>(s, o);
}

std::unique_ptr<meter_source> table_source(std::shared_ptr<const reading_table> readings, fleet relations,
                                           const source_options& o) {
    if (!readings) readings = std::make_shared<const reading_table>();
    return std::make_unique<table_meters>(nullptr, std::move(readings), std::move(relations), o);
}

std::unique_ptr<meter_source> table_source(reading_table&& readings, fleet relations,
                                           const source_options& o) {
    return std::make_unique<table_meters>(&readings, nullptr, std::move(relations), o);
}

std::unique_ptr<meter_source> csv_source(const std::filesystem::path& readings,
                                         const std::optional<std::filesystem::path>& meters,
                                         const import_options& io, source_options o) {
    std::vector<meter> known;
    if (meters) known = parse_meters_csv(read_file(*meters), meters->string(), io);
    // read streaming, never whole: the table is all the memory a file costs (~22 bytes a value)
    reading_table batch = read_readings_csv(readings, io, &o.wide);
    return table_source(std::move(batch), fleet({}, {}, {}, {}, {}, std::move(known)), o);
}

}  // namespace v0
}  // namespace kvant
