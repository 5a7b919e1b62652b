/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddpmake.c: premaster ddpmake.  Writes the DDP 2.00 image of an album's
 * CD from the image sequence wrote (OUTDIR/cd/album.wav), with the disc
 * derived from album.xml by the same layout sequence uses, then reads it
 * back and compares.  --extract turns any DDP back into per-track WAVs, a
 * CUE sheet and a PQ listing; --list prints a DDP's PQ and checks it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "album/album.h"
#include "album/paths.h"
#include "album/sources.h"
#include "album/targets.h"
#include "cd/cdio.h"
#include "cd/cdtext.h"
#include "cd/ddp.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "cli.h"
#include "io/audio.h"
#include "sequence/sequence.h"
#include "sequence/timeline.h"
#include "util/err.h"
#include "util/log.h"
#include "util/manifest.h"
#include "util/msf.h"
#include "util/outdir.h"

#include "util/banned.h"

struct options {
	struct pm_common common;
	const char *arg;   /* ALBUM.xml, or the DDP directory */
	bool extract, list, crc32;
	const char *image; /* the CD image WAV instead of OUTDIR/cd/album.wav */
	const char *gaps_arg;
	enum pm_gap_policy gaps;
};

static const struct pm_usage usage = {
	"usage: premaster ddpmake [OPTIONS] ALBUM.xml\n"
	"       premaster ddpmake --extract [--gaps=POLICY] -o DIR DDPDIR\n"
	"       premaster ddpmake --list DDPDIR\n"
	"Write the album's DDP 2.00 image to OUTDIR/ddp from the CD image\n"
	"premaster sequence wrote, and read it back; or turn any DDP back\n"
	"into track files, a CUE sheet and a PQ listing.\n"
	"\n"
	"      --crc32         also write CHECKSUM.TXT (CRC-32)\n"
	"      --image=WAV     the CD image (default OUTDIR/cd/album.wav)\n"
	"      --extract       extract DDPDIR into -o DIR\n"
	"      --gaps=POLICY   extract: append, prepend, split or none\n"
	"                      (where pauses go; default append)\n"
	"      --list          print DDPDIR's PQ and check the image\n",
	"See premaster-ddpmake(1).\n"
};

static void parse(int argc, char **argv, struct options *o)
{
	const struct pm_tool_option opts[] = {
		{ "extract", 0, PM_ARG_TRUE, &o->extract },
		{ "list", 0, PM_ARG_TRUE, &o->list },
		{ "gaps", 0, PM_ARG_TEXT, &o->gaps_arg },
		{ "crc32", 0, PM_ARG_TRUE, &o->crc32 },
		{ "image", 0, PM_ARG_TEXT, &o->image },
		{ NULL, 0, 0, NULL }
	};
	int first = pm_tool_parse(argc, argv, opts, &o->common, &usage), i;

	for (i = 0; o->gaps_arg && i <= PM_GAPS_NONE; i++)
		if (strcmp(o->gaps_arg,
			   pm_gap_policy_name((enum pm_gap_policy)i)) == 0)
			break;
	if (o->gaps_arg && i > PM_GAPS_NONE)
		pm_usage_error("--gaps wants append, prepend, split or none, not '%s'",
			       o->gaps_arg);
	if (o->gaps_arg)
		o->gaps = (enum pm_gap_policy)i;
	if (o->extract && o->list)
		pm_usage_error("--extract and --list do not go together");
	if (argc - first != 1)
		pm_usage_error(o->extract || o->list ? "expected one DDP directory"
						    : "expected one ALBUM.xml");
	if (o->extract && !o->common.output)
		pm_usage_error("--extract needs -o DIR");
	pm_output_check(o->common.output);
	o->arg = argv[first];
}

/*
 * After the DDP: the PQ sheet again, now with IMAGE.DAT's MD5 and the
 * MD5 of each checksum file, so a plant can check what it received.
 */
static int pq_sheet_checksums(const struct pm_album *album,
			   const struct pm_timeline *tl,
			   const struct pm_inputs *in, const char *outdir,
			   const char *ddpdir, bool crc32, const char *image_md5,
			   struct pm_err *err)
{
	static const char *const names[] = { PM_DDP_CHECKSUM_MD5,
					     PM_DDP_CHECKSUM_TXT };
	struct pm_pq_file files[2];
	char path[4352], cd[4352], sha[PM_SHA256_HEX_BYTES];
	size_t n = 0, i;
	struct stat st;

	for (i = 0; i < (crc32 ? 2u : 1u); i++) {
		snprintf(path, sizeof(path), "%s/%s", ddpdir, names[i]);
		snprintf(files[n].name, sizeof(files[n].name), "%s", names[i]);
		if (pm_hash_file(path, files[n].md5, sha, err) < 0)
			return -1;
		n++;
	}
	snprintf(cd, sizeof(cd), "%s/%s", outdir, PM_DIR_CD);
	if (album->cd.want_pq_sheet && stat(cd, &st) == 0 &&
	    S_ISDIR(st.st_mode) &&
	    pm_cd_pq_sheets(album, tl, in, cd, image_md5, files, n, err) < 0)
		return -1;
	return 0;
}

/* The result of make: a line on stdout, or a JSON event. */
static void made(const char *ddpdir, const struct pm_disc *disc,
		 size_t cdtext_len, const struct pm_ddp_written *w,
		 bool crc32)
{
	char msf[12], crc[12];
	struct pm_json j;

	pm_msf_format(disc->leadout_frames, msf);
	snprintf(crc, sizeof(crc), "%08X", w->image_crc32);
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "ddp", ddpdir);
		pm_json_int(&j, "tracks", disc->ntracks);
		pm_json_string(&j, "leadout", msf);
		pm_json_int(&j, "frames", disc->leadout_frames);
		pm_json_int(&j, "cdtext_bytes", (long long)cdtext_len);
		pm_json_string(&j, "image_md5", w->image_md5);
		if (crc32)
			pm_json_string(&j, "image_crc32", crc);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		printf("ddp=%s tracks=%u leadout=%s frames=%u cdtext_bytes=%zu image_md5=%s",
		       ddpdir, disc->ntracks, msf, disc->leadout_frames,
		       cdtext_len, w->image_md5);
		if (crc32)
			printf(" image_crc32=%s", crc);
		printf("\n");
	}
}

static int make(const struct options *o, struct pm_err *err)
{
	struct pm_album *album = NULL;
	struct pm_target targets[2 + 32];
	struct pm_seq_options so = { 0 };
	struct pm_inputs in = { 0 };
	struct pm_timeline tl = { 0 };
	struct pm_disc_limits lim;
	struct pm_ddp_write_options wo = { 0 };
	struct pm_ddp_read_options ro = { 0 };
	struct pm_ddp_written w = { 0 };
	struct pm_ddp *back = NULL;
	struct pm_audio_info info;
	uint8_t *cdtext = NULL;
	size_t cdtext_len = 0, nt, i;
	char why[160] = "";
	char *outdir = NULL, image[4096], ddpdir[4096];
	int ret = -1;

	album = pm_album_open(o->arg, err);
	if (!album)
		return -1;
	if (!album->cd.enabled || !album->cd.want_ddp) {
		pm_note("the album asks for no DDP; nothing to do");
		ret = 0;
		goto out;
	}
	outdir = pm_output_dir(o->common.output, o->arg);
	if (!outdir) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	nt = pm_album_targets(album, targets);
	for (i = 0; i < nt && targets[i].kind != PM_TARGET_CD; i++)
		;
	so.outdir = outdir;
	if (pm_cd_timeline(album, &targets[i], &so, &in, &tl, err) < 0)
		goto out;
	snprintf(image, sizeof(image), "%s", o->image ? o->image : "");
	if (!o->image)
		snprintf(image, sizeof(image), "%s/%s/%s", outdir, PM_DIR_CD,
			 PM_CD_IMAGE);
	if (pm_audio_probe(image, &info, err) < 0) {
		pm_err_prefix(err, "the CD image is missing (run premaster sequence first): ");
		goto out;
	}
	if (info.length_samples != pm_frame_samples(tl.disc.leadout_frames) ||
	    info.rate != PM_CD_RATE || info.channels != 2 || info.bits != 16) {
		pm_err_set(err, PM_EMISMATCH,
			   "'%s' (%lld samples at %u Hz, %u bits) is not the CD this album describes (%lld samples at 44100 Hz, 16 bits); run premaster sequence again",
			   image, (long long)info.length_samples, info.rate, info.bits,
			   (long long)pm_frame_samples(tl.disc.leadout_frames));
		err->code = PM_EFORMAT;
		goto out;
	}
	if (pm_cdtext_from_album(album, &cdtext, &cdtext_len, err) < 0)
		goto out;
	pm_cd_limits(album, &lim);
	wo.master_id = album->release.master_id;
	wo.cdtext = cdtext;
	wo.cdtext_bytes = cdtext_len;
	wo.want_crc32 = o->crc32 || album->cd.want_crc32;
	wo.force = o->common.force;
	wo.limits = &lim;
	wo.context = album->path;
	pm_event_start(o->arg, outdir);
	pm_stage_begin("ddpmake", (double)tl.disc.leadout_frames /
					  PM_FRAMES_PER_SEC);
	if (pm_ddp_write(&tl.disc, image, outdir, &wo, &w, err) < 0) {
		pm_stage_end();
		goto out;
	}
	pm_stage_end();

	/* read it back: the reader is independent of the writer's state */
	snprintf(ddpdir, sizeof(ddpdir), "%s/%s", outdir, PM_DIR_DDP);
	ro.skip_checksums = true; /* IMAGE.DAT's MD5 was taken as written */
	ro.limits = &lim;
	back = pm_ddp_read(ddpdir, &ro, err);
	if (!back)
		goto out;
	if (back->cdtext_bytes != cdtext_len ||
	    (cdtext_len && memcmp(back->cdtext, cdtext, cdtext_len) != 0))
		snprintf(why, sizeof(why), "the CD-TEXT differs");
	if (why[0] || !pm_disc_same(&back->disc, &tl.disc, why, sizeof(why))) {
		pm_err_set(err, PM_EINVAL,
			   "'%s' does not read back as written: %s (a bug: please report it)",
			   ddpdir, why);
		goto out;
	}
	/* the PQ sheet gets the DDP's checksums */
	if (pq_sheet_checksums(album, &tl, &in, outdir, ddpdir, wo.want_crc32,
			       w.image_md5, err) < 0)
		goto out;
	made(ddpdir, &tl.disc, cdtext_len, &w, wo.want_crc32);
	ret = 0;
out:
	pm_ddp_free(back);
	free(cdtext);
	pm_timeline_release(&tl);
	pm_inputs_release(&in);
	pm_album_free(album);
	free(outdir);
	return ret;
}

static void extracted(const char *dir, const struct pm_disc *disc,
		      size_t files)
{
	char msf[12];
	struct pm_json j;

	pm_msf_format(disc->leadout_frames, msf);
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "extracted", dir);
		pm_json_int(&j, "tracks", disc->ntracks);
		pm_json_int(&j, "files", (long long)files);
		pm_json_string(&j, "leadout", msf);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		printf("extracted=%s tracks=%u files=%zu leadout=%s\n", dir,
		       disc->ntracks, files, msf);
	}
}

static int extract(const struct options *o, struct pm_err *err)
{
	struct pm_ddp_read_options ro = { 0 };
	struct pm_ddp *ddp = NULL;
	struct pm_outdir od = { 0 };
	struct pm_cdtext_text cd = { 0 };
	struct pm_sheet_text text = { 0 };
	struct pm_span spans[2 * PM_MAX_TRACKS];
	char names[2 * PM_MAX_TRACKS][16];
	const char *np[2 * PM_MAX_TRACKS];
	char *path = NULL, *parent = NULL, *slash;
	size_t n, k;
	FILE *fp = NULL;
	int ret = -1, st;

	ddp = pm_ddp_read(o->arg, &ro, err);
	if (!ddp)
		return -1;
	if (ddp->cdtext && pm_cdio_cdtext_decode(ddp->cdtext, ddp->cdtext_bytes,
						  &cd, err) == 0 &&
	    pm_sheet_text_from_cdtext(&cd, &text, err) < 0)
		goto out;
	/* -o DIR is the directory to build, atomically */
	parent = strdup(o->common.output);
	if (!parent) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(parent, '/');
	if (slash && slash[1] == '\0') {
		*slash = '\0';
		slash = strrchr(parent, '/');
	}
	if (pm_outdir_begin(&od, slash ? (slash == parent ? "/" : parent) : ".",
			    slash ? (*slash = '\0', slash + 1) : parent,
			    o->common.force, err) < 0)
		goto out;
	pm_event_start(o->arg, o->common.output);
	pm_stage_begin("extract", (double)ddp->disc.leadout_frames /
					  PM_FRAMES_PER_SEC);
	if (pm_ddp_extract_into(ddp, o->gaps, &od, err) < 0)
		goto out;
	n = pm_disc_spans(&ddp->disc, o->gaps, spans);
	for (k = 0; k < n; k++) {
		if (spans[k].track)
			snprintf(names[k], sizeof(names[k]), "%02u.wav", spans[k].track);
		else
			snprintf(names[k], sizeof(names[k]), "%02u-pause.wav",
				 spans[k].pause_of);
		np[k] = names[k];
	}
	/* every CD-TEXT block, for the CUE's CDTEXTFILE */
	if (ddp->cdtext && text.nblocks) {
		path = pm_outdir_path(&od, "tracks.cdt", err);
		if (!path)
			goto out;
		fp = pm_fcreate(path, "wb", err);
		if (!fp)
			goto out;
		fwrite(ddp->cdtext, 1, ddp->cdtext_bytes, fp);
		st = pm_fclose_written(fp, path, err);
		fp = NULL;
		if (st < 0)
			goto out;
		free(path);
		text.packs = ddp->cdtext;
		text.packs_len = ddp->cdtext_bytes;
		text.cdtext_file = "tracks.cdt";
	}
	path = pm_outdir_path(&od, "tracks.cue", err);
	if (!path)
		goto out;
	fp = pm_fcreate(path, "w", err);
	if (!fp || pm_cue_write_files(fp, &ddp->disc, &text, spans, n, np,
				      err) < 0)
		goto out;
	st = pm_fclose_written(fp, path, err);
	fp = NULL;
	if (st < 0 || pm_outdir_commit(&od, err) < 0)
		goto out;
	pm_stage_end();
	extracted(o->common.output, &ddp->disc, n);
	ret = 0;
out:
	pm_stage_end();
	if (fp)
		fclose(fp);
	pm_outdir_release(&od);
	pm_sheet_text_release(&text);
	pm_cdio_cdtext_release(&cd);
	pm_ddp_free(ddp);
	free(path);
	free(parent);
	return ret;
}

/* The PQ listing as a JSON event. */
static int listing_json(const char *dir, const struct pm_ddp *ddp)
{
	const struct pm_disc *d = &ddp->disc;
	char msf[12];
	struct pm_json j;

	pm_event_begin(&j, "result");
	pm_json_string(&j, "ddp", dir);
	pm_json_string(&j, "level", ddp->id.level);
	pm_json_string(&j, "upc", d->upc);
	pm_json_string(&j, "leadout", pm_msf_format(d->leadout_frames, msf));
	pm_json_int(&j, "errors", ddp->nerrors);
	pm_json_int(&j, "warnings", ddp->nwarnings);
	pm_json_array(&j, "tracks");
	for (unsigned t = 0; t < d->ntracks; t++) {
		const struct pm_pq_track *x = &d->track[t];

		pm_json_object(&j, NULL);
		pm_json_int(&j, "track", t + 1);
		if (x->has_pause)
			pm_json_string(&j, "index00",
				       pm_msf_format(x->pause_frames, msf));
		pm_json_array(&j, "indexes");
		for (unsigned k = 0; k < x->nindex; k++)
			pm_json_string(&j, NULL, pm_msf_format(x->index[k], msf));
		pm_json_end(&j, false);
		pm_json_string(&j, "isrc", x->isrc);
		pm_json_bool(&j, "pre_emphasis", x->control & PM_CTL_PREEMPHASIS);
		pm_json_bool(&j, "copy", x->control & PM_CTL_COPY);
		pm_json_bool(&j, "scms", x->scms);
		pm_json_end(&j, true);
	}
	pm_json_end(&j, false);
	pm_event_end(&j);
	return 0;
}

static int list(const struct options *o, struct pm_err *err)
{
	struct pm_ddp_read_options ro = { .keep_broken = true };
	struct pm_ddp *ddp = pm_ddp_read(o->arg, &ro, err);
	int ret;

	if (!ddp)
		return -1;
	if (pm_json_events())
		ret = listing_json(o->arg, ddp);
	else
		ret = pm_ddp_listing(stdout, &ddp->disc, err);
	if (ret == 0 && ddp->nerrors) {
		ret = pm_err_set(err, PM_EFORMAT, "'%s' has %u problem%s (see above)",
				 o->arg, ddp->nerrors, ddp->nerrors == 1 ? "" : "s");
	} else if (ret == 0) {
		pm_note("'%s': %s, %u tracks, %s%s", o->arg, ddp->id.level,
			ddp->disc.ntracks,
			ddp->has_md5 ? "checksums verified" : "no CHECKSUM.MD5",
			ddp->nwarnings ? " (with warnings)" : "");
	}
	pm_ddp_free(ddp);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .common = { .want_progress = true } };
	struct pm_err err = { 0 };
	int ret;

	pm_log_init("premaster ddpmake", PM_LOG_NOTE);
	parse(argc, argv, &o);
	pm_signals_install();
	if (o.extract)
		ret = extract(&o, &err);
	else if (o.list)
		ret = list(&o, &err);
	else
		ret = make(&o, &err);
	if (ret < 0) {
		pm_error("%s", err.msg);
		ret = pm_exit_status(&err);
	}
	if (pm_interrupted()) {
		pm_signals_reraise();
		ret = PM_EXIT_INTERRUPTED;
	}
	return ret;
}
