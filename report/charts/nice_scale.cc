// NiceScale: 1-2-5 tick steps.
#include "report/charts/nice_scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace quire {
namespace {

// The smallest 1/2/5 x 10^k that is >= raw.
double NiceStep(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / power;
  const double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

// "1234567" -> "1,234,567" (the integer part of a printed number).
std::string GroupThousands(const std::string& s) {
  const size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  for (size_t i = start; i < end; ++i) {
    out += s[i];
    const size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + s.substr(end);
}

}  // namespace

NiceScale NiceScale::For(double lo, double hi, int target_ticks) {
  NiceScale scale;
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    if (lo == 0) {
      hi = 1;
    } else {
      const double pad = std::fabs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
  }
  scale.step = NiceStep((hi - lo) / std::max(1, target_ticks));
  scale.min = std::floor(lo / scale.step + 1e-9) * scale.step;
  scale.max = std::ceil(hi / scale.step - 1e-9) * scale.step;
  const int n = static_cast<int>(std::lround((scale.max - scale.min) / scale.step));
  for (int i = 0; i <= n; ++i) {
    double t = scale.min + i * scale.step;
    if (std::fabs(t) < scale.step * 1e-9) t = 0;  // no "-0"
    scale.ticks.push_back(t);
  }
  return scale;
}

std::string NiceScale::Format(double value) const {
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  std::string s = buf;
  if (s == "-0" || s.find_first_not_of("-0.") == std::string::npos) s = s.substr(s[0] == '-');
  return GroupThousands(s);
}

}  // namespace quire
