/*
 * support.h
 *	  Planner support for the checks: index conditions and estimates.
 */
#ifndef RBAC_SUPPORT_H
#define RBAC_SUPPORT_H

/* rbac.index_support; from _PG_init. */
extern void SupportDefineSettings(void);

#endif							/* RBAC_SUPPORT_H */
