/* SPDX-License-Identifier: Apache-2.0 */
/* bench_footprint_ref.c — the reference of bench/footprint.sh: the least a collector of the
 * small site needs. It links only libc, libmodbus and libsqlite3, polls N Modbus TCP devices
 * (ports BASE..BASE+N-1, unit 1, 10 float32 input registers each) every second and inserts every
 * value into a SQLite file, one transaction per second. It runs until killed. Usage:
 * bench_footprint_ref HOST BASE N DB */
#include <modbus.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_DEVICES 64

/* WAL and a 1 MiB page cache (mdc's store: 32 KB a device, at least 256 KiB). */
static const char schema[] = "PRAGMA journal_mode=WAL; PRAGMA cache_size=-1024;"
                             "CREATE TABLE IF NOT EXISTS samples(ts INTEGER, device INTEGER, "
                             "point INTEGER, value REAL);";

static void poll_one(modbus_t *mb, sqlite3_stmt *ins, int device, long long ts)
{
    uint16_t regs[20];
    if (modbus_read_input_registers(mb, 0, 20, regs) != 20) {
        modbus_close(mb);
        modbus_connect(mb);
        return;
    }
    for (int p = 0; p < 10; p++) {
        sqlite3_bind_int64(ins, 1, ts);
        sqlite3_bind_int(ins, 2, device);
        sqlite3_bind_int(ins, 3, p);
        sqlite3_bind_double(ins, 4, modbus_get_float_abcd(regs + 2 * p));
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_footprint_ref HOST BASE N DB\n");
        return 2;
    }
    int base = atoi(argv[2]), n = atoi(argv[3]);
    if (n < 1 || n > MAX_DEVICES) return 2;
    modbus_t *mb[MAX_DEVICES];
    for (int i = 0; i < n; i++) {
        mb[i] = modbus_new_tcp(argv[1], base + i);
        if (!mb[i]) return 1;
        modbus_set_slave(mb[i], 1); /* unit 1, as mdc's default "unit_id" */
        modbus_set_response_timeout(mb[i], 1, 0);
        modbus_connect(mb[i]);
    }
    sqlite3 *db;
    sqlite3_stmt *ins;
    if (sqlite3_open(argv[4], &db) != SQLITE_OK || sqlite3_exec(db, schema, 0, 0, 0) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO samples VALUES (?, ?, ?, ?)", -1, &ins, 0) != SQLITE_OK)
        return 1;
    for (;;) {
        long long ts = (long long)time(NULL);
        sqlite3_exec(db, "BEGIN", 0, 0, 0);
        for (int i = 0; i < n; i++)
            poll_one(mb[i], ins, i, ts);
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
        struct timespec t = {1, 0};
        nanosleep(&t, NULL);
    }
}
