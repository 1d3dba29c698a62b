/*
 * base/digits.h: the value of one hexadecimal or base64 digit, for every
 * parser that reads them.
 */
#ifndef BASE_DIGITS_H
#define BASE_DIGITS_H

#include <stdbool.h>

/* 0-15 for 0-9, a-f, A-F; -1 for any other character. */
int digit_hex(char c);

/* 0-63 for a character of the standard base64 alphabet (A-Z a-z 0-9 + /),
 * also for '-' (62) and '_' (63) when url_too; -1 otherwise ('=' too). */
int digit_base64(char c, bool url_too);

#endif
