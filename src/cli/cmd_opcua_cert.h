/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_opcua_cert.h — mdc opcua-cert: create (once) the OPC UA client certificate and key. */
#ifndef MDC_CMD_OPCUA_CERT_H
#define MDC_CMD_OPCUA_CERT_H

int cmd_opcua_cert(int argc, char **argv);

#endif
