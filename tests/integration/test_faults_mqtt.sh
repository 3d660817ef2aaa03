#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Delivery faults against the MQTT sink at QoS 1 and QoS 2 (fault_lib.sh, mqtt_peer.sh), as a
# persistent subscriber receives them: the broker stopped, then one record whose payload the
# broker refuses (message_size_limit). QoS 2 must arrive exactly once; QoS 1 at least once.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/mqtt_lib.sh"
source "$here/fault_lib.sh"
source "$here/mqtt_peer.sh"
fault_outage
FAULT_SIM_OPTS=--frozen fault_poison
fault_summary
