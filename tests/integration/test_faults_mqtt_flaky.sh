#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The MQTT sink at QoS 1 and QoS 2 over a connection that fails (fault_lib.sh, mqtt_peer.sh,
# fault_proxy.py between mdc and the broker): 5 % and then 30 % of what the sink sends meets a
# reset, a hang, or a late loss of the broker's acknowledgements (the broker took the messages,
# the sink never heard). Nothing lost at either QoS; at QoS 2 nothing twice at the subscriber.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/mqtt_lib.sh"
source "$here/fault_lib.sh"
source "$here/mqtt_peer.sh"
MQTT_VIA_PROXY=1
fault_flaky 0.05
fault_flaky 0.30
fault_summary
