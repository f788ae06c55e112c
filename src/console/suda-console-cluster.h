/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-server-host.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_CLUSTER (suda_console_cluster_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleCluster, suda_console_cluster, SUDA, CONSOLE_CLUSTER, GtkBox)

/* The console's Cluster page ([cluster], issue 15): the link to Redis and
 * the servers in the cluster with their users, this one first.  It reads
 * the host's snapshots (suda_server_host_get_cluster), asked for every
 * second while the page is shown.  "configured": the server runs with
 * [cluster], or would start with it (the window hides the page else). */
void            suda_console_cluster_set_host        (SudaConsoleCluster     *self,
                                                      SudaServerHost         *host);
void            suda_console_cluster_set_base_config (SudaConsoleCluster     *self,
                                                      const SudaServerConfig *config);
gboolean        suda_console_cluster_get_configured  (SudaConsoleCluster     *self);
/* What it shows, for tests: the Redis row and the servers' rows (AdwActionRow). */
AdwActionRow   *suda_console_cluster_get_redis_row   (SudaConsoleCluster     *self);
GtkListBox     *suda_console_cluster_get_servers     (SudaConsoleCluster     *self);

G_END_DECLS
