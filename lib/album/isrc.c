/* SPDX-License-Identifier: GPL-3.0-or-later */
/* isrc.c: ISRC syntax and UPC/EAN check digits. */
#include <config.h>

#include "album/isrc.h"

#include <ctype.h>
#include <string.h>

#include "util/banned.h"

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int check_isrc(const char *s, const char **why)
{
	int i;

	if (!is_upper(s[0]) || !is_upper(s[1])) {
		*why = "the country code must be two letters";
		return -1;
	}
	for (i = 2; i < 5; i++)
		if (!is_upper(s[i]) && !is_digit(s[i])) {
			*why = "the registrant code must be three letters or digits";
			return -1;
		}
	for (i = 5; i < 7; i++)
		if (!is_digit(s[i])) {
			*why = "the year must be two digits";
			return -1;
		}
	for (i = 7; i < 12; i++)
		if (!is_digit(s[i])) {
			*why = "the designation code must be five digits";
			return -1;
		}
	return 0;
}

int pm_isrc_normalize(const char *in, char out[PM_ISRC_LEN + 1],
		      const char **why)
{
	const char *dummy;
	size_t n = 0;

	if (!why)
		why = &dummy;
	for (; *in; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (n == PM_ISRC_LEN) {
			*why = "an ISRC has 12 characters";
			return -1;
		}
		out[n++] = (char)toupper((unsigned char)*in);
	}
	out[n] = '\0';
	if (n != PM_ISRC_LEN) {
		*why = "an ISRC has 12 characters";
		return -1;
	}
	return check_isrc(out, why);
}

bool pm_isrc_valid(const char *s)
{
	const char *why;

	return s && strlen(s) == PM_ISRC_LEN && check_isrc(s, &why) == 0;
}

int pm_gs1_check_digit(const char *digits, unsigned n)
{
	unsigned sum = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(digits[i]))
			return -1;
		/* the digit next to the check digit has weight 3 */
		sum += (unsigned)(digits[i] - '0') * ((n - i) % 2 ? 3u : 1u);
	}
	return (int)((10 - sum % 10) % 10);
}

int pm_ean_normalize(const char *in, char out[PM_EAN_LEN + 1],
		     const char **why)
{
	char buf[PM_EAN_LEN + 1];
	const char *dummy;
	size_t n = 0;
	int check;

	if (!why)
		why = &dummy;
	for (; *in; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (!is_digit(*in)) {
			*why = "a UPC/EAN has only digits";
			return -1;
		}
		if (n == PM_EAN_LEN) {
			*why = "a UPC/EAN has 12 or 13 digits";
			return -1;
		}
		buf[n++] = *in;
	}
	buf[n] = '\0';
	if (n == 12) {
		out[0] = '0';
		memcpy(out + 1, buf, 13);
	} else if (n == 13) {
		memcpy(out, buf, 14);
	} else {
		*why = "a UPC/EAN has 12 or 13 digits";
		return -1;
	}
	if (strspn(out, "0") == PM_EAN_LEN) {
		*why = "an all-zero UPC/EAN means none";
		return -1;
	}
	check = pm_gs1_check_digit(out, PM_EAN_LEN - 1);
	if (check != out[PM_EAN_LEN - 1] - '0') {
		*why = "the check digit is wrong";
		return -1;
	}
	return 0;
}

bool pm_ean_valid(const char *s)
{
	char out[PM_EAN_LEN + 1];
	const char *why;

	return s && strlen(s) == PM_EAN_LEN && pm_ean_normalize(s, out, &why) == 0;
}

int pm_isrc_next(char isrc[13])
{
	int i;

	for (i = 11; i >= 7; i--) {
		if (isrc[i] < '9') {
			isrc[i]++;
			return 0;
		}
		isrc[i] = '0';
	}
	return -1;
}
