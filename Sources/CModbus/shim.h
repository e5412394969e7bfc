#ifndef RIGLOG_CMODBUS_SHIM_H
#define RIGLOG_CMODBUS_SHIM_H
// libmodbus as Debian's libmodbus-dev installs it (pkg-config libmodbus adds -I/usr/include/modbus).
#include <modbus.h>
#include <errno.h>

// Macros Swift cannot import as constants.
static inline int riglog_modbus_errno(void) { return errno; }
static inline void riglog_modbus_set_errno(int e) { errno = e; }
static const int riglog_modbus_enobase = MODBUS_ENOBASE;
#endif
