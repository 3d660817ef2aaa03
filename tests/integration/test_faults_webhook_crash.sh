#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crashes under the webhook sink (fault_lib.sh): kill -9 of mdc again and again, and the spool
# restored to an earlier snapshot (a power cut). Nothing lost; a record sent again carries the
# Idempotency-Key it had.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault_lib.sh"
source "$here/webhook_peer.sh"
fault_kill
fault_restore
fault_summary
