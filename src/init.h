/* SPDX-License-Identifier: GPL-3.0-or-later */
/* init.h: premaster init (src/init.c), for the front end's dispatch. */
#ifndef PM_SRC_INIT_H
#define PM_SRC_INIT_H

/* Run `premaster init` with argv[0] "init"; returns the exit status. */
int pm_cmd_init(int argc, char **argv);

#endif
