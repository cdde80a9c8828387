/* SPDX-License-Identifier: ISC */
/* Placeholder: being written. */
