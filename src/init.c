/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * init.c: premaster init.  An album.xml from audio files (lib/album/init),
 * or, with --from-ddp, --from-cue or --from-toc, from a disc that exists
 * already: its layout, texts and audio kept exactly, mastering set to
 * pass-through (lib/sequence/import).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "album/init.h"
#include "album/isrc.h"
#include "cd/ddp.h"
#include "cd/sheet-read.h"
#include "cli.h"
#include "init.h"
#include "sequence/import.h"
#include "util/err.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/outdir.h"

#include "util/banned.h"

static const struct pm_usage usage_init = {
	"usage: premaster init [OPTIONS] AUDIO...\n"
	"       premaster init [OPTIONS] --from-ddp=DIR\n"
	"       premaster init [OPTIONS] --from-cue=FILE.cue\n"
	"       premaster init [OPTIONS] --from-toc=FILE.toc\n"
	"Write an album.xml for the audio files, in the order given (any\n"
	"format premaster reads), or for a disc: a DDP, or a CUE sheet or\n"
	"cdrdao TOC and its audio, kept exactly, mastering pass-through.\n"
	"\n"
	"      --from-ddp=DIR     the DDP image in DIR; its tracks are cut\n"
	"                         into 'sources' beside the album\n"
	"      --from-cue=FILE    the CUE sheet FILE and the audio it names\n"
	"      --from-toc=FILE    the cdrdao TOC FILE and the audio it names\n"
	"      --title=TEXT       album title (default: the first file's\n"
	"                         album tag, or \"Untitled\"; for a disc,\n"
	"                         only when it has none)\n"
	"      --artist=TEXT      album artist (default: the first file's\n"
	"                         artist tag, or \"Unknown Artist\")\n"
	"      --upc=CODE         UPC-A or EAN-13 of the release\n"
	"      --catalog=TEXT     catalogue number\n"
	"      --isrc-first=CODE  ISRC of track 1; later tracks count up\n",
	"The album goes to album.xml unless -o names another file.\n"
	"See premaster(1) and premaster-album(5).\n"
};

enum { FROM_DDP, FROM_CUE, FROM_TOC };

struct init_args {
	struct pm_common common;
	struct pm_init_options io;
	const char *upc_arg, *isrc_arg, *artist;
	const char *from_arg[3]; /* --from-ddp, --from-cue, --from-toc */
	const char *from;        /* the disc to import, or NULL */
	int from_kind;           /* FROM_* */
	const char *out_path;
	char *album_dir;
};

/* The directory the album will live in, for relative paths. */
static char *dir_of(const char *out_path)
{
	char *tmp = strdup(out_path), *slash, *dir;

	if (!tmp)
		return NULL;
	slash = strrchr(tmp, '/');
	if (slash)
		*slash = '\0';
	dir = realpath(slash ? (*tmp ? tmp : "/") : ".", NULL);
	free(tmp);
	return dir;
}

static const char *const cdtext_words[] = {
	[PM_IMPORT_CDTEXT_NONE] = "none",
	[PM_IMPORT_CDTEXT_IDENTICAL] = "identical",
	[PM_IMPORT_CDTEXT_SAME_TEXT] = "same-text",
	[PM_IMPORT_CDTEXT_CHANGED] = "changed",
};

static void imported(const struct init_args *a, const struct pm_import_result *r)
{
	struct pm_json j;

	pm_note("wrote '%s': %u track%s, %u pause%s of silence, %u with audio, %u index mark%s%s; %u source%s cut%s%s, %u read in place; CD-TEXT: %s (%u block%s)",
		a->out_path, r->ntracks, r->ntracks == 1 ? "" : "s",
		r->silent_pauses, r->silent_pauses == 1 ? "" : "s",
		r->audio_pauses, r->indexes, r->indexes == 1 ? "" : "s",
		r->htoa ? ", hidden track one audio" : "", r->extracted,
		r->extracted == 1 ? "" : "s", r->sources_dir[0] ? " into " : "",
		r->sources_dir, r->referenced, cdtext_words[r->cdtext],
		r->nblocks, r->nblocks == 1 ? "" : "s");
	if (r->losses)
		pm_warning("%u thing%s on the disc cannot be carried exactly (see above)",
			   r->losses, r->losses == 1 ? "" : "s");
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "album", a->out_path);
		pm_json_string(&j, "from", a->from);
		pm_json_int(&j, "tracks", r->ntracks);
		pm_json_string(&j, "sources", r->sources_dir);
		pm_json_int(&j, "extracted", r->extracted);
		pm_json_int(&j, "referenced", r->referenced);
		pm_json_int(&j, "silent_pauses", r->silent_pauses);
		pm_json_int(&j, "audio_pauses", r->audio_pauses);
		pm_json_int(&j, "indexes", r->indexes);
		pm_json_bool(&j, "htoa", r->htoa);
		pm_json_int(&j, "cdtext_blocks", r->nblocks);
		pm_json_string(&j, "cdtext", cdtext_words[r->cdtext]);
		pm_json_int(&j, "losses", r->losses);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		printf("%s\n", a->out_path);
	}
}

/* init --from-ddp, --from-cue, --from-toc. */
static int import(struct init_args *a)
{
	struct pm_import_options o = { .album_path = a->out_path,
				       .album_dir = a->album_dir,
				       .sources = "sources",
				       .force = a->common.force,
				       .title = a->io.title,
				       .catalog = a->io.catalog };
	struct pm_ddp_read_options ro = { 0 };
	struct pm_disc_image img = { 0 };
	struct pm_import_result res;
	struct pm_err err = { 0 };
	struct pm_ddp *ddp = NULL;
	int ret = 0;

	pm_event_start(a->from, a->out_path);
	if (a->from_kind == FROM_DDP) {
		ddp = pm_ddp_read(a->from, &ro, &err);
		if (!ddp || pm_disc_image_from_ddp(ddp, &img, &err) < 0)
			goto fail;
	} else if (pm_sheet_read(a->from, a->from_kind == FROM_TOC, &img,
				 &err) < 0) {
		goto fail;
	}
	pm_stage_begin("import", (double)img.disc.leadout_frames /
					 PM_FRAMES_PER_SEC);
	if (pm_import(&img, &o, &res, &err) < 0)
		goto fail;
	pm_stage_end();
	imported(a, &res);
	goto out;
fail:
	pm_stage_end();
	pm_error("%s", err.msg);
	ret = pm_exit_status(&err);
out:
	pm_disc_image_release(&img);
	pm_ddp_free(ddp);
	return ret;
}

/* init AUDIO... */
static int from_audio(struct init_args *a, char *const *files, size_t n)
{
	struct pm_err err = { 0 };
	struct pm_file out = { 0 };
	struct pm_json j;
	int ret;

	a->io.dir = a->album_dir;
	if (pm_file_open(&out, a->out_path, a->common.force, &err) < 0 ||
	    pm_init_album(out.fp, &a->io, files, n, &err) < 0 ||
	    pm_file_commit(&out, &err) < 0) {
		pm_error("%s", err.msg);
		ret = pm_exit_status(&err);
		goto out;
	}
	pm_note("wrote '%s' with %zu track%s", a->out_path, n,
		n == 1 ? "" : "s");
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "album", a->out_path);
		pm_json_int(&j, "tracks", (long long)n);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		printf("%s\n", a->out_path);
	}
	ret = 0;
out:
	pm_file_abort(&out);
	return ret;
}

/* The one --from-* option given, if any. */
static void set_from(struct init_args *a)
{
	static const char *const kinds[] = { "ddp", "cue", "toc" };
	int k;

	for (k = FROM_DDP; k <= FROM_TOC; k++) {
		if (!a->from_arg[k])
			continue;
		if (a->from)
			pm_usage_error("give one of --from-ddp, --from-cue and --from-toc");
		if (!*a->from_arg[k])
			pm_usage_error("--from-%s needs a path", kinds[k]);
		a->from = a->from_arg[k];
		a->from_kind = k;
	}
}

/* What the options say together; usage errors exit 64. */
static void check_args(struct init_args *a, size_t n, char *upc, char *isrc)
{
	const char *why;
	uint64_t code;

	if (a->from) {
		if (n)
			pm_usage_error("--from-%s takes no AUDIO files",
				       a->from_kind == FROM_DDP ? "ddp"
				       : a->from_kind == FROM_CUE ? "cue"
								      : "toc");
		if (a->upc_arg || a->isrc_arg || a->artist)
			pm_usage_error("the disc says its UPC, ISRCs and artist: --upc, --isrc-first and --artist do not go with --from-*");
		return;
	}
	if (n == 0)
		pm_usage_error("expected at least one AUDIO file");
	if (n > PM_MAX_TRACKS)
		pm_usage_error("a CD holds at most 99 tracks; %zu files given", n);
	if (a->upc_arg && pm_ean_normalize(a->upc_arg, upc, &why) < 0)
		pm_usage_error("--upc '%s': %s", a->upc_arg, why);
	if (a->isrc_arg && pm_isrc_normalize(a->isrc_arg, isrc, &why) < 0)
		pm_usage_error("--isrc-first '%s': %s", a->isrc_arg, why);
	if (a->isrc_arg && pm_parse_uint(isrc + 7, 0, 99999, &code) == 0 &&
	    code + n - 1 > 99999)
		pm_usage_error("--isrc-first '%s': the designation codes run out after track %u",
			       a->isrc_arg, (unsigned)(100000 - code));
	if (a->io.title && !*a->io.title)
		pm_usage_error("--title must not be empty");
	if (a->artist && !*a->artist)
		pm_usage_error("--artist must not be empty");
	a->io.artist = a->artist;
	a->io.upc = a->upc_arg ? upc : NULL;
	a->io.isrc_first = a->isrc_arg ? isrc : NULL;
}

int pm_cmd_init(int argc, char **argv)
{
	struct init_args a = { .common = { .want_progress = true } };
	const struct pm_tool_option opts[] = {
		{ "title", 0, PM_ARG_TEXT, &a.io.title },
		{ "artist", 0, PM_ARG_TEXT, &a.artist },
		{ "upc", 0, PM_ARG_TEXT, &a.upc_arg },
		{ "catalog", 0, PM_ARG_TEXT, &a.io.catalog },
		{ "isrc-first", 0, PM_ARG_TEXT, &a.isrc_arg },
		{ "from-ddp", 0, PM_ARG_TEXT, &a.from_arg[FROM_DDP] },
		{ "from-cue", 0, PM_ARG_TEXT, &a.from_arg[FROM_CUE] },
		{ "from-toc", 0, PM_ARG_TEXT, &a.from_arg[FROM_TOC] },
		{ NULL, 0, 0, NULL }
	};
	char upc[PM_EAN_LEN + 1], isrc[PM_ISRC_LEN + 1] = "";
	size_t n;
	int first, ret;

	pm_log_init("premaster init", PM_LOG_NOTE);
	first = pm_tool_parse(argc, argv, opts, &a.common, &usage_init);
	set_from(&a);
	n = (size_t)(argc - first);
	check_args(&a, n, upc, isrc);
	if (a.common.output && !*a.common.output)
		pm_usage_error("-o: the output path is empty");
	a.out_path = a.common.output ? a.common.output : "album.xml";
	a.album_dir = dir_of(a.out_path);
	if (!a.album_dir) {
		pm_error("cannot find the directory of '%s': %s", a.out_path,
			 strerror(errno));
		return EX_CANTCREAT;
	}
	ret = a.from ? import(&a) : from_audio(&a, argv + first, n);
	free(a.album_dir);
	return ret;
}
