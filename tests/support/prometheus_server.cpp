#include "support/prometheus_server.h"

#include <nlohmann/json.hpp>

#include "prim/http_client.h"
#include "support/backstop_cli.h"

namespace backstop::test {

namespace {

std::string with_address(std::string text, const std::string& address) {
    const std::string placeholder = "{{address}}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + address.size()))
        text.replace(at, placeholder.size(), address);
    return text;
}

}  // namespace

PrometheusServer::PrometheusServer(const PrometheusConfig& config) : port_(free_port()) {
    std::string config_file = dir_.write("prometheus.yml", with_address(config.yml, address()));
    for (const auto& [relpath, text] : config.files) dir_.write(relpath, with_address(text, address()));
    // Alerts evaluated before the alertmanagers are discovered are dropped and only sent again after
    // the resend delay (1 minute by default): 1s keeps a firing alert reaching Alertmanager at once.
    daemon_.emplace(std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config_file,
                                             "--storage.tsdb.path=" + dir_.mkdir("data"),
                                             "--web.listen-address=" + address(), "--rules.alert.resend-delay=1s",
                                             "--log.level=warn"},
                    dir_.file("prometheus.log"), url() + "/-/ready");
}

std::string PrometheusServer::loaded_config() const {
    HttpResponse r = make_http_client()->send({"GET", url() + "/api/v1/status/config", {}, "", Duration{5000}});
    if (r.status != 200) return "";
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (json.is_discarded() || !json.contains("data") || !json["data"].contains("yaml")) return "";
    return json["data"]["yaml"].get<std::string>();
}

}  // namespace backstop::test
