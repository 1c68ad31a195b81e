/*
 * Stands in for libgupnp-igd-1.0.so.4 (UPnP port mapping, which WHIP never needs) when the tests run Debian 12's
 * whip-client: that binary links libsoup2, while Debian's libgupnp-igd pulls in libsoup3 (through libnice), and
 * libsoup3 aborts in a process that holds libsoup2 ("Using libsoup2 and libsoup3 in the same process is not
 * supported"). With this on LD_LIBRARY_PATH libnice gets no UPnP helper (NULL) and everything else is Debian's own.
 */
#include <stddef.h>

void *gupnp_simple_igd_thread_new(void) { return NULL; }
unsigned long gupnp_simple_igd_get_type(void) { return 0; }
void gupnp_simple_igd_add_port(void *self, const char *protocol, unsigned short external_port, const char *local_ip,
                               unsigned short local_port, unsigned int lease_duration, const char *description) { }
void gupnp_simple_igd_remove_port_local(void *self, const char *protocol, const char *local_ip, unsigned short local_port) { }
