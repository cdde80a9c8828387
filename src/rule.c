/* SPDX-License-Identifier: ISC */
/* Placeholder: being written. */
#include "config.h"
