/* SPDX-License-Identifier: ISC */
/*
 * What the loader of Sigma rule files shares between its files:
 * sigma_load.c (files, documents, the YAML tree, metadata), sigma_detect.c
 * (detections) and sigma_corr.c (correlations).  Not for other modules.
 */
#ifndef SIGMA_INT_H
#define SIGMA_INT_H

#include <stddef.h>

#include <yaml.h>

#include "compat.h"

struct rule;
struct sigma_load_ctx;

/* One document being read. */
struct sigma_load {
	const char		*path;
	struct sigma_load_ctx	*ctx;
	yaml_document_t		*doc;
	unsigned char		*seen;		/* one flag per node */
	size_t			 nnodes;
	size_t			 ndoc;		/* from 1 */
	unsigned long		 line;		/* of the error */
	char			*cause;
};

/* sigma_load.c */
int		 sigma_load_fail(struct sigma_load *, const yaml_node_t *,
		    const char *, ...) __printflike(3, 4);
yaml_node_t	*sigma_load_node(struct sigma_load *, int);
int		 sigma_load_isnull(const yaml_node_t *);
const char	*sigma_load_scalar(const yaml_node_t *);
yaml_node_t	*sigma_load_get(struct sigma_load *, yaml_node_t *,
		    const char *);
int		 sigma_load_strlist(struct sigma_load *, yaml_node_t *,
		    const char *, char ***, size_t *);
int		 sigma_load_isnumber(const char *);
int		 sigma_load_refs(struct sigma_load *, yaml_node_t *,
		    const char *, struct sigma_corr_ref **, size_t *);

/* sigma_detect.c */
int		 sigma_load_detection(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);

/* sigma_corr.c */
int		 sigma_load_corr(struct sigma_load *, yaml_node_t *,
		    yaml_node_t *, struct rule *);

#endif /* SIGMA_INT_H */
