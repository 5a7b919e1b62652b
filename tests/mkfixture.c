/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mkfixture.c: placeholder. */
int main(void)
{
	return 0;
}
