#include "policy/compile_cache.h"

#include "core/text_pattern.h"

namespace backstop::policy {

CompileCache::Compiled CompileCache::condition(const std::string& text, const ExpressionSchema& schema) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto& by_text = conditions_[&schema];
        if (auto it = by_text.find(text); it != by_text.end()) return {it->second, {}};
    }
    auto result = compile_expression(text, schema, ValueType::boolean);
    if (!result.ok()) return {nullptr, std::move(result.error)};
    auto expression = std::make_shared<const Expression>(std::move(*result.expression));
    std::lock_guard<std::mutex> lock(mutex_);
    return {conditions_[&schema].emplace(text, std::move(expression)).first->second, {}};
}

std::string CompileCache::pattern_problem(const std::string& pattern) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (auto it = pattern_problems_.find(pattern); it != pattern_problems_.end()) return it->second;
    }
    std::string problem = TextPattern::problem(pattern);
    std::lock_guard<std::mutex> lock(mutex_);
    return pattern_problems_.emplace(pattern, std::move(problem)).first->second;
}

}  // namespace backstop::policy
