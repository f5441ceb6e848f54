#include "support/alertmanager_server.h"

#include <nlohmann/json.hpp>

#include "support/backstop_cli.h"

namespace backstop::test {

AlertmanagerServer::AlertmanagerServer(const std::string& webhook_url, const std::string& bearer_credentials)
    : port_(free_port()) {
    // JSON strings are valid YAML scalars: quoting through it keeps odd URLs and tokens intact.
    std::string webhook = "      - url: " + nlohmann::json(webhook_url).dump() + "\n"
                          "        send_resolved: true\n";
    if (!bearer_credentials.empty())
        webhook += "        http_config:\n"
                   "          authorization:\n"
                   "            credentials: " + nlohmann::json(bearer_credentials).dump() + "\n";
    std::string config = dir_.write("alertmanager.yml",
                                    "route:\n"
                                    "  receiver: webhook\n"
                                    "  group_by: ['alertname']\n"
                                    "  group_wait: 1s\n"
                                    "  group_interval: 1s\n"
                                    "  repeat_interval: 1h\n"
                                    "receivers:\n"
                                    "  - name: webhook\n"
                                    "    webhook_configs:\n" + webhook);
    // An empty --cluster.listen-address turns the HA gossip (and its port 9094) off.
    daemon_.emplace(std::vector<std::string>{"/usr/bin/prometheus-alertmanager", "--config.file=" + config,
                                             "--storage.path=" + dir_.mkdir("data"),
                                             "--web.listen-address=" + address(), "--cluster.listen-address=",
                                             "--log.level=warn"},
                    dir_.file("alertmanager.log"), url() + "/-/ready");
}

}  // namespace backstop::test
