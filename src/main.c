/* SPDX-License-Identifier: ISC */
/* Placeholder: being written. */
#include "config.h"
#include <stdio.h>
int
main(void)
{
	puts("ctaudit");
	return 0;
}
