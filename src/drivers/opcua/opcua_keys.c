/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_keys.c — the keys of an "opcua" device and of the objects within it (core/keys.h),
 * read by opcua_driver.c. */
#include "opcua_internal.h"

#include "core/keys.h"

const char *const opcua_policy_names[] = {"None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", NULL};
const char *const opcua_security_mode_names[] = {"None", "Sign", "SignAndEncrypt", NULL};
static const char *const trusts[] = {"directory", "first-use", NULL};
static const char *const modes[] = {"read", "subscribe", NULL};

static const mdc_key device_keys[] = {
    {.name = "endpoint",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "opc.tcp://HOST:PORT[/path]"},
    {.name = "security",
     .type = MDC_KEY_OBJECT,
     .def = "None/None",
     .help = "{\"policy\": ..., \"mode\": ...} (keys of security)"},
    {.name = "trust",
     .type = MDC_KEY_ENUM,
     .def = "directory",
     .choices = trusts,
     .help = "server certificates from DATA_DIR/pki/trusted, or the first one seen"},
    {.name = "user", .type = MDC_KEY_STRING, .help = "UserName login (default: anonymous)"},
    {.name = "password", .type = MDC_KEY_SECRET, .help = "the user's"},
    {.name = "allow_plaintext_password",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "send the password unencrypted where the server's token policy says so"},
    {.name = "user_certificate",
     .type = MDC_KEY_STRING,
     .help = "X.509 user login: the certificate file"},
    {.name = "user_private_key",
     .type = MDC_KEY_STRING,
     .help = "X.509 user login: its private key file"},
    {.name = "nodes",
     .type = MDC_KEY_OBJECT,
     .help = "required: field name -> node id, or -> {\"node\": ...} (keys of nodes.NAME)"},
    {.name = "mode",
     .type = MDC_KEY_ENUM,
     .def = "read",
     .choices = modes,
     .help = "read on the schedule, or subscribe (polls report the latest values)"},
    {.name = "sampling_interval", .type = MDC_KEY_DURATION, .def = "500ms", .help = "subscribe"},
    {.name = "publishing_interval",
     .type = MDC_KEY_DURATION,
     .def = "sampling_interval",
     .help = "subscribe"},
    {.name = "queue_size",
     .type = MDC_KEY_INT,
     .def = "1",
     .min = 1,
     .max = 100000,
     .help = "subscribe: values queued per node"},
    {.name = "deadband",
     .type = MDC_KEY_OBJECT,
     .help = "subscribe: {\"absolute\": x} or {\"percent\": x}"},
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "5s", .help = "a request"},
    {.name = "channel_lifetime",
     .type = MDC_KEY_DURATION,
     .def = "1h",
     .help = "secure channel token lifetime (at least 2.5s)"},
    {.name = "session_timeout", .type = MDC_KEY_DURATION, .def = "2m"},
    {.name = "buffer_size",
     .type = MDC_KEY_INT,
     .def = "65536",
     .min = 8192,
     .max = 16 << 20,
     .help = "largest message chunk"},
    {.name = "source_timestamps",
     .type = MDC_KEY_BOOL,
     .def = "false",
     .help = "also a NAME_source_time field per node"},
    {.name = "pki_dir",
     .type = MDC_KEY_STRING,
     .def = "DATA_DIR/pki",
     .help = "the client certificate and the trust lists"},
    {.name = "application_uri", .type = MDC_KEY_STRING, .help = "the client's"},
    {.name = "verify_hostname",
     .type = MDC_KEY_BOOL,
     .def = "true",
     .help = "the server certificate must name the endpoint's host"},
    {.name = "verify_application_uri",
     .type = MDC_KEY_BOOL,
     .def = "true",
     .help = "the server certificate must name the server's ApplicationUri"},
    {0},
};
const mdc_keyset opcua_device_keyset = {"device (opcua)", device_keys, &mdc_device_keyset};

static const mdc_key security_keys[] = {
    {.name = "policy", .type = MDC_KEY_ENUM, .def = "None", .choices = opcua_policy_names},
    {.name = "mode",
     .type = MDC_KEY_ENUM,
     .def = "SignAndEncrypt with a policy, else None",
     .choices = opcua_security_mode_names},
    {0},
};
const mdc_keyset opcua_security_keyset = {"device (opcua): security", security_keys, NULL};

static const mdc_key node_keys[] = {
    {.name = "node",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "ns=2;s=..., i=, g=, b=, nsu=URI;..."},
    {0},
};
const mdc_keyset opcua_node_keyset = {"device (opcua): nodes.NAME", node_keys,
                                      &mdc_field_info_keyset};

static const mdc_key deadband_keys[] = {
    {.name = "absolute", .type = MDC_KEY_NUMBER, .help = "changes below it are not reported"},
    {.name = "percent", .type = MDC_KEY_NUMBER, .help = "of the value's range, 0..100"},
    {0},
};
const mdc_keyset opcua_deadband_keyset = {"device (opcua): deadband", deadband_keys, NULL};

const mdc_keyset *const opcua_nested_keysets[] = {&opcua_security_keyset, &opcua_node_keyset,
                                                  &opcua_deadband_keyset, NULL};
