#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Delivery faults against the Pub/Sub sink (fault_lib.sh; sink_server.py as the emulator): the
# endpoint down, then 5 % and 30 % of the publishes failing (500, 503, a hang past the client's
# timeout, a reset, a 200 after the client gave up), then one record it refuses for good. At
# least once with a stable record id (attribute mdc_record_id): delivered counts distinct
# records, duplicates are reported apart.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault_lib.sh"
source "$here/pubsub_peer.sh"
fault_outage
fault_flaky 0.05
fault_flaky 0.30
fault_poison
fault_summary
