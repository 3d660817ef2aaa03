/* cmd_demo.c — mdc demo: starts simulated energy meters (mdc-sim) and collects from them into
 * the embedded store, printing live records. What `make run` does. */
#include "cli.h"

#include "core/clock.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SIMS 4

typedef struct demo {
    char sim[PATH_MAX];
    pid_t pids[MAX_SIMS];
    int npids;
    char ctl[2][PATH_MAX]; /* control FIFOs of the simulators */
} demo;

static void find_sim(demo *d)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            size_t len = strlen(self);
            if (len + sizeof "/mdc-sim" <= sizeof d->sim) {
                memcpy(d->sim, self, len);
                memcpy(d->sim + len, "/mdc-sim", sizeof "/mdc-sim");
                if (access(d->sim, X_OK) == 0) return;
            }
        }
    }
    snprintf(d->sim, sizeof d->sim, "mdc-sim"); /* from PATH */
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static int spawn(demo *d, char *const args[])
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the demo */
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(args[0], args);
        fprintf(stderr, "mdc demo: cannot run %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    d->pids[d->npids++] = pid;
    return 0;
}

static bool tcp_ready(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

static bool wait_ready(demo *d, int port, const char *pty)
{
    for (int i = 0; i < 100; i++) {
        struct stat st;
        if (tcp_ready(port) && stat(pty, &st) == 0) return true;
        for (int k = 0; k < d->npids; k++)
            if (waitpid(d->pids[k], NULL, WNOHANG) == d->pids[k]) {
                d->pids[k] = 0;
                return false;
            }
        mdc_sleep_us(50000);
    }
    return false;
}

static void stop_sims(demo *d)
{
    for (int k = 0; k < d->npids; k++)
        if (d->pids[k] > 0) kill(d->pids[k], SIGTERM);
    for (int k = 0; k < d->npids; k++)
        if (d->pids[k] > 0) waitpid(d->pids[k], NULL, 0);
    d->npids = 0;
    for (int k = 0; k < 2; k++)
        if (d->ctl[k][0]) unlink(d->ctl[k]);
}

static int start_sims(demo *d, const char *data_dir, char *pty, size_t ptylen)
{
    int port = free_port();
    if (port < 0) return -1;
    char portarg[64], portenv[16];
    snprintf(portarg, sizeof portarg, "127.0.0.1:%d", port);
    snprintf(portenv, sizeof portenv, "%d", port);
    snprintf(pty, ptylen, "%s/tty-meter-2", data_dir);
    unlink(pty);
    for (int k = 0; k < 2; k++) {
        snprintf(d->ctl[k], sizeof d->ctl[k], "%s/sim-meter-%d.ctl", data_dir, k + 1);
        unlink(d->ctl[k]);
    }
    char *tcp[] = {d->sim,      "modbus",  "--tcp", portarg,   "--profile",
                   "sdm630",    "--units", "1",     "--cycle", "off=8,idle=12,production=20",
                   "--control", d->ctl[0], NULL};
    char *rtu[] = {d->sim,
                   "modbus",
                   "--rtu",
                   "--link",
                   pty,
                   "--baud",
                   "19200",
                   "--units",
                   "2",
                   "--profile",
                   "sdm630",
                   "--cycle",
                   "idle=10,production=25,off=5",
                   "--control",
                   d->ctl[1],
                   NULL};
    if (spawn(d, tcp) < 0 || spawn(d, rtu) < 0) return -1;
    setenv("MDC_DEMO_TCP_PORT", portenv, 1);
    setenv("MDC_DEMO_PTY", pty, 1);
    return wait_ready(d, port, pty) ? 0 : -1;
}

int cmd_demo(int argc, char **argv)
{
    cli_common c = {0};
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(&c, argc, argv, &i);
        if (r < 0) return 2;
        if (r == 0) {
            fprintf(stderr, "mdc demo: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    const char *data_dir = c.ov.data_dir ? c.ov.data_dir : "data";
    mkdir(data_dir, 0755);
    demo d = {0};
    find_sim(&d);
    char pty[PATH_MAX];
    if (start_sims(&d, data_dir, pty, sizeof pty) < 0) {
        fprintf(stderr, "mdc demo: the simulators did not start (%s)\n", d.sim);
        stop_sims(&d);
        return 1;
    }
    fprintf(stderr,
            "mdc demo: simulated meters running (Modbus TCP on 127.0.0.1:%s, RTU on %s);"
            " records go to stdout and %s/mdc.db. Ctrl-C stops.\n"
            "mdc demo: change a machine's state with: echo 'state off|idle|production|cycle' > %s"
            " (or %s)\n",
            getenv("MDC_DEMO_TCP_PORT"), pty, data_dir, d.ctl[0], d.ctl[1]);
    cli_daemon dm = {0};
    mdc_err err = {0};
    int rc;
    c.ov.data_dir = data_dir;
    if (c.config) {
        rc = cli_daemon_load(&c, &dm);
    } else if (mdc_config_load_string("examples/demo.json", mdc_demo_config,
                                      strlen(mdc_demo_config), &c.ov, &dm.cfg, &err) < 0 ||
               mdc_runtime_build(dm.cfg, &dm.rt, &err) < 0 || cli_daemon_prepare(&dm, &err) < 0) {
        fprintf(stderr, "mdc demo: %s\n", err.msg);
        rc = 2;
    } else {
        rc = 0;
    }
    if (rc == 0) rc = cli_daemon_run(&dm, false);
    cli_daemon_free(&dm);
    stop_sims(&d);
    unlink(pty);
    return rc;
}
