/* test_options: the command line without a process. Every usage error (argv -> status, a
 * phrase of the message), the values options set (in the form state files record), primitive's
 * flags, "did you mean", print sizes and their layout, and the settings a state file gives
 * back. */
#include "optable.h"
#include "options.h"
#include "page.h"
#include "test.h"

#include <stdbool.h>

enum { MAXARG = 12 };

typedef struct parse_case {
    const char *argv[MAXARG]; /* after "polyevolve" */
    int rc;                   /* CLI_OK or CLI_USAGE */
    const char *message;      /* a phrase the message must hold (CLI_USAGE) */
    const char *absent;       /* a phrase it must not hold, or NULL */
    const char *values[4];    /* "option=text": the option's value as state files record it */
} parse_case;

#define IMG "in.png"

static const parse_case cases[] = {
    /* usage errors: every flag names itself */
    { { IMG, "--tiles", "2x2" }, CLI_USAGE, "--tiles is gone", NULL, { NULL } },
    { { IMG, "--no-such-flag" }, CLI_USAGE, "unknown option '--no-such-flag'", "did you", { 0 } },
    { { IMG, "-x" }, CLI_USAGE, "unknown option '-x'", NULL, { NULL } },
    { { IMG, "-o", "o", "-n" }, CLI_USAGE, "-n needs a value", NULL, { NULL } },
    { { IMG, "-o" }, CLI_USAGE, "-o needs a value", NULL, { NULL } },
    { { IMG, "-o", "" }, CLI_USAGE, "-o needs a value", NULL, { NULL } },
    { { "--resume" }, CLI_USAGE, "--resume needs a value", NULL, { NULL } },
    { { IMG, "-n", "0" }, CLI_USAGE, "--triangles: a whole number from 1 to 1000000", NULL, { 0 } },
    { { IMG, "-n", "-5" }, CLI_USAGE, "--triangles", NULL, { NULL } },
    { { IMG, "-n", "abc" }, CLI_USAGE, "invalid value 'abc' for --triangles", NULL, { NULL } },
    { { IMG, "-n", "99999999999" }, CLI_USAGE, "--triangles", NULL, { NULL } },
    { { IMG, "-n", "1.5" }, CLI_USAGE, "--triangles", NULL, { NULL } },
    { { IMG, "-n", "" }, CLI_USAGE, "--triangles", NULL, { NULL } },
    { { IMG, "--background", "bad" }, CLI_USAGE, "--background", NULL, { NULL } },
    { { IMG, "--background", "#12345" }, CLI_USAGE, "#RRGGBB", NULL, { NULL } },
    { { IMG, "--background", "#12345g" }, CLI_USAGE, "--background", NULL, { NULL } },
    { { IMG, "--seed", "-1" }, CLI_USAGE, "--seed", NULL, { NULL } },
    { { IMG, "--seed", "99999999999999999999999" }, CLI_USAGE, "--seed", NULL, { NULL } },
    { { IMG, "-j", "-1" }, CLI_USAGE, "--threads", NULL, { NULL } },
    { { IMG, "--time", "nan" }, CLI_USAGE, "--time", NULL, { NULL } },
    { { IMG, "--time", "-1" }, CLI_USAGE, "--time", NULL, { NULL } },
    /* a subnormal is a number in the range; one that a double cannot tell from 0 says so */
    { { IMG, "--time", "1e-320" }, CLI_OK, NULL, NULL, { "time=9.99989e-321" } },
    { { IMG, "--time", "1e-400" }, CLI_USAGE, "too small for a double", NULL, { NULL } },
    { { IMG, "--hold", "4.9e-324" }, CLI_OK, NULL, NULL, { NULL } },
    { { IMG, "--target-psnr", "inf" }, CLI_USAGE, "--target-psnr", NULL, { NULL } },
    { { IMG, "--frame-spacing", "cubic" }, CLI_USAGE, "one of psnr, linear, log", NULL, { 0 } },
    { { IMG, "-s", "-1" }, CLI_USAGE, "--size", NULL, { NULL } },
    { { IMG, "-s", "23171" }, CLI_USAGE, "23170", NULL, { NULL } },
    { { "render", "x.json", "-o", "x.png", "-s", "30000" }, CLI_USAGE, "23170", NULL, { 0 } },
    { { IMG, "--max-pixels", "0" }, CLI_USAGE, "--max-pixels", NULL, { NULL } },
    { { "-n", "5" }, CLI_USAGE, "no input", NULL, { NULL } },
    { { "-o", "o" }, CLI_USAGE, "no input", NULL, { NULL } },
    { { IMG, "b.png", "-o", "o" }, CLI_USAGE, "more than one input", NULL, { NULL } },
    { { IMG, "-i", "b.png" }, CLI_USAGE, "more than one input", NULL, { NULL } },
    { { IMG, "--resume", "o" }, CLI_USAGE, "either an input image or --resume", NULL, { 0 } },
    { { "render", "-o", "x.png" }, CLI_USAGE, "no state file", NULL, { NULL } },
    { { "render", "some.json" }, CLI_USAGE, "render needs -o", NULL, { NULL } },
    { { "render", "s.json", "-o", "a.png", "-o", "b.png" }, CLI_USAGE, "one -o", NULL, { 0 } },
    { { "sequence", "-o", "x" }, CLI_USAGE, "no input", NULL, { NULL } },
    { { "sequence", "a", "-o", "x", "--resume", "y" }, CLI_USAGE, "--resume DIR", NULL, { 0 } },
    { { "--resume", "a", "--init", "a/state.json" }, CLI_USAGE, "--init", NULL, { NULL } },
    { { "sequence", "pan", "--init", "s.json" }, CLI_USAGE, "--init is for a single run", NULL,
      { NULL } },
    { { IMG, "--warm-iterations", "2" }, CLI_USAGE, "option of 'polyevolve sequence'", NULL,
      { NULL } },
    { { IMG, "--quiet=yes" }, CLI_USAGE, "takes no value", NULL, { NULL } },
    { { IMG, "--alpha", "0" }, CLI_USAGE, "--alpha", NULL, { NULL } },
    { { IMG, "--alpha", "256" }, CLI_USAGE, "--alpha", NULL, { NULL } },
    { { IMG, "--alpha", "-1" }, CLI_USAGE, "--alpha", NULL, { NULL } },
    { { IMG, "--alpha", "x" }, CLI_USAGE, "--alpha", NULL, { NULL } },
    { { IMG, "--alpha", "0.5x" }, CLI_USAGE, "--alpha", NULL, { NULL } },
    { { IMG, "--palette", "0" }, CLI_USAGE, "a count from 1 to 256, a file or none", NULL, { 0 } },
    { { IMG, "--palette", "257" }, CLI_USAGE, "--palette", NULL, { NULL } },
    { { IMG, "--palette", "-3" }, CLI_USAGE, "--palette", NULL, { NULL } },
    { { IMG, "--hold", "-1" }, CLI_USAGE, "--hold", NULL, { NULL } },
    { { IMG, "--frame-size", "-1" }, CLI_USAGE, "--frame-size", NULL, { NULL } },

    /* values, attached or not, in the form state files record */
    { { IMG }, CLI_OK, NULL, NULL, { "triangles=250", "output=out", "hold=2.5", "palette=none" } },
    { { IMG, "-n250", "-j4", "-s1024", "-r128" }, CLI_OK, NULL, NULL,
      { "triangles=250", "threads=4", "size=1024", "resize=128" } },
    { { IMG, "--triangles=99", "--seed", "18446744073709551615" }, CLI_OK, NULL, NULL,
      { "triangles=99", "seed=18446744073709551615" } },
    { { "-i", IMG, "-o", "a.svg", "-o", "b/" }, CLI_OK, NULL, NULL, { "output=a.svg" } },
    { { IMG, "--alpha", "128" }, CLI_OK, NULL, NULL, { "alpha=128" } },
    { { IMG, "--alpha", "0.5" }, CLI_OK, NULL, NULL, { "alpha=0.5" } },
    { { IMG, "--alpha", "1" }, CLI_OK, NULL, NULL, { "alpha=1" } },
    { { IMG, "--background", "FFFFFF" }, CLI_OK, NULL, NULL, { "background=#ffffff" } },
    { { IMG, "--background", "white" }, CLI_OK, NULL, NULL, { "background=#ffffff" } },
    { { IMG, "--background", "Gray" }, CLI_OK, NULL, NULL, { "background=#808080" } },
    { { IMG, "--background", "#AbC" }, CLI_OK, NULL, NULL, { "background=#aabbcc" } },
    { { IMG, "--background", "none" }, CLI_OK, NULL, NULL, { "background=none" } },
    { { IMG, "--palette", "8" }, CLI_OK, NULL, NULL, { "palette=8" } },
    { { IMG, "--palette", "brand/8bit.gpl" }, CLI_OK, NULL, NULL, { "palette=8bit.gpl" } },
    { { IMG, "--weight", "/masks/face.png" }, CLI_OK, NULL, NULL, { "weight=face.png" } },
    { { IMG, "--frame-spacing", "log", "--frames", "7" }, CLI_OK, NULL, NULL,
      { "frame-spacing=log", "frames=7" } },
    { { IMG, "--force", "--allow-damaged", "--hold", "3", "--frame-size", "1080" }, CLI_OK, NULL,
      NULL, { "force=true", "allow-damaged=true", "hold=3", "frame-size=1080" } },

    /* primitive's flags: the right setting, or a message naming ours */
    { { "-i", IMG, "-a", "128" }, CLI_OK, NULL, NULL, { "alpha=128" } },
    { { IMG, "-a128" }, CLI_OK, NULL, NULL, { "alpha=128" } },
    { { IMG, "-a", "0" }, CLI_OK, NULL, NULL, { "alpha=auto" } },
    { { IMG, "-a", "255" }, CLI_OK, NULL, NULL, { "alpha=1" } },
    { { IMG, "-a", "256" }, CLI_USAGE, "-a (primitive's; here --alpha)", NULL, { NULL } },
    { { IMG, "-bg", "FFFFFF" }, CLI_OK, NULL, NULL, { "background=#ffffff" } },
    { { IMG, "-bg", "#000000" }, CLI_OK, NULL, NULL, { "background=#000000" } },
    { { IMG, "-bg", "white" }, CLI_OK, NULL, NULL, { "background=#ffffff" } },
    { { IMG, "-m", "1" }, CLI_OK, NULL, NULL, { "triangles=250" } },
    { { IMG, "-m", "3" }, CLI_USAGE, "triangles only", NULL, { NULL } },
    { { IMG, "-m", "9" }, CLI_USAGE, "-m", NULL, { NULL } },
    { { IMG, "-n", "250", "-nth", "10" }, CLI_USAGE, "--frames 25", NULL, { NULL } },
    { { IMG, "-rep", "2" }, CLI_USAGE, "-rep 2", "--resize", { NULL } },
    { { IMG, "-rep", "0" }, CLI_OK, NULL, NULL, { "resize=256" } },
    { { IMG, "-rx" }, CLI_USAGE, "unknown option '-rx'", "--resize", { NULL } },
    { { IMG, "-rep2" }, CLI_USAGE, "unknown option '-rep2'", "--resize", { NULL } },
    { { IMG, "-nth10" }, CLI_USAGE, "unknown option '-nth10'", NULL, { NULL } },
    { { IMG, "-vv" }, CLI_OK, NULL, NULL, { "verbose=true" } },

    /* did you mean */
    { { IMG, "--pallete", "8" }, CLI_USAGE, "did you mean --palette?", NULL, { NULL } },
    { { IMG, "--backgroud", "white" }, CLI_USAGE, "did you mean --background?", NULL, { 0 } },
    { { IMG, "--tri", "5" }, CLI_USAGE, "did you mean --triangles?", NULL, { NULL } },
    { { IMG, "-seed", "3" }, CLI_USAGE, "did you mean --seed?", NULL, { NULL } },
    { { IMG, "--treads", "3" }, CLI_USAGE, "did you mean --threads?", NULL, { NULL } },
    { { IMG, "--zzzz" }, CLI_USAGE, "unknown option '--zzzz'", "did you mean", { NULL } },

    /* print sizes */
    { { IMG, "--page", "A3" }, CLI_OK, NULL, NULL, { "page=A3" } },
    { { IMG, "--page", "a4", "--margin", "10mm" }, CLI_OK, NULL, NULL, { "page=a4" } },
    { { IMG, "--page", "297x420mm" }, CLI_OK, NULL, NULL, { "page=297x420mm" } },
    { { IMG, "--page", "letter" }, CLI_OK, NULL, NULL, { "page=letter" } },
    { { IMG, "--page", "tabloid" }, CLI_OK, NULL, NULL, { "page=tabloid" } },
    { { IMG, "--page", "30cm" }, CLI_OK, NULL, NULL, { "page=30cm" } },
    { { IMG, "--page", "1e-300cm" }, CLI_USAGE, "from 1mm to 200in", NULL, { NULL } },
    { { IMG, "--page", "0.001pt" }, CLI_USAGE, "from 1mm to 200in", NULL, { NULL } },
    { { IMG, "--page", "201in" }, CLI_USAGE, "200in", NULL, { NULL } },
    { { IMG, "--page", "0x10cm" }, CLI_USAGE, "--page", NULL, { NULL } },
    { { IMG, "--page", "10furlongs" }, CLI_USAGE, "--page", NULL, { NULL } },
    { { IMG, "--page", "A3", "--margin", "150mm" }, CLI_USAGE, "--margin", NULL, { NULL } },
    { { IMG, "--margin", "5" }, CLI_USAGE, "a length with a unit", NULL, { NULL } },
    { { IMG, "--margin", "-1mm" }, CLI_USAGE, "--margin", NULL, { NULL } },
};

/* "name=text": the option's text as state files record it equals text. */
static bool value_is(const cli_options *o, const char *spec)
{
    const char *eq = strchr(spec, '=');
    const cli_opt *d = cli_opt_find(spec, (size_t)(eq - spec), false);
    if (!d)
        return false;
    char buf[CLI_TEXT_LEN];
    const char *s = cli_opt_text(d, o, buf, sizeof buf);
    if (strcmp(s, eq + 1)) {
        fprintf(stderr, "  %s: %s\n", spec, s);
        return false;
    }
    return true;
}

/* Parse "polyevolve" + words into o; the status, the message in err. */
static int parse(const char *const *words, cli_options *o, char *err, size_t err_len)
{
    static char store[MAXARG + 1][64];
    char *argv[MAXARG + 2];
    int argc = 0;
    snprintf(store[argc], sizeof store[argc], "polyevolve");
    argv[argc] = store[argc];
    argc++;
    for (int i = 0; i < MAXARG && words[i]; i++, argc++) {
        snprintf(store[argc], sizeof store[argc], "%s", words[i]);
        argv[argc] = store[argc];
    }
    argv[argc] = NULL;
    err[0] = '\0';
    return cli_parse(argc, argv, o, err, err_len);
}

static void every_case_parses_as_listed(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const parse_case *c = &cases[i];
        cli_options o;
        char err[512];
        const int rc = parse(c->argv, &o, err, sizeof err);
        bool good = rc == c->rc;
        if (c->message)
            good = good && strstr(err, c->message) != NULL;
        if (c->absent)
            good = good && strstr(err, c->absent) == NULL;
        for (int k = 0; k < 4 && c->values[k] && rc == CLI_OK; k++)
            good = value_is(&o, c->values[k]) && good;
        if (!good) {
            fprintf(stderr, "case %zu (", i);
            for (int k = 0; k < MAXARG && c->argv[k]; k++)
                fprintf(stderr, "%s'%s'", k ? " " : "", c->argv[k]);
            fprintf(stderr, "): status %d, expected %d; message: %s\n", rc, c->rc, err);
        }
        CHECK(good);
        free(o.inputs);
    }
}

/* --help's defaults are pe_options_default()'s: never written twice. */
static void defaults_come_from_the_library(void)
{
    cli_options o;
    char err[256];
    const char *argv[] = { IMG, NULL };
    CHECK(parse(argv, &o, err, sizeof err) == CLI_OK);
    const pe_options def = pe_options_default();
    char want[64];
    snprintf(want, sizeof want, "triangles=%d", def.triangles);
    CHECK(value_is(&o, want));
    snprintf(want, sizeof want, "resize=%d", def.resize);
    CHECK(value_is(&o, want));
    snprintf(want, sizeof want, "frames=%d", def.frames);
    CHECK(value_is(&o, want));
    CHECK(o.pe.triangles == def.triangles && o.pe.seed == def.seed);
    CHECK(o.pe.background_auto == def.background_auto && !o.pe.transparent);
    CHECK(o.max_pixels == pe_load_limits_default().max_pixels);
    CHECK(o.spacing_psnr && o.hold == 2.5 && o.frame_size == -1 && o.margin_pt == 0);
}

/* The fields other code reads follow the table's values. */
static void derived_fields_follow(void)
{
    cli_options o;
    char err[256];
    const char *a[] = { IMG, "-bg", "red", "--frame-spacing", "log", "--palette", "p/b.txt",
                        "--weight", "auto", "--frames", "9", NULL };
    CHECK(parse(a, &o, err, sizeof err) == CLI_OK);
    CHECK(!o.pe.background_auto && !o.pe.transparent);
    CHECK(o.pe.background[0] == 255 && o.pe.background[1] == 0 && o.pe.background[2] == 0);
    CHECK(!o.spacing_psnr && o.pe.frame_spacing == PE_FRAMES_LOG);
    CHECK(o.palette_path && !strcmp(o.palette_path, "p/b.txt") && o.pe.palette_size == 0);
    CHECK(o.pe.weight_auto && o.weight_path == NULL);
    CHECK(o.pe.frames == 9 && o.anim_frames == 9);
    const char *b[] = { IMG, "--palette", "12", "--weight", "m.png", "--background", "none", NULL };
    CHECK(parse(b, &o, err, sizeof err) == CLI_OK);
    CHECK(o.palette_path == NULL && o.pe.palette_size == 12);
    CHECK(!o.pe.weight_auto && o.weight_path && !strcmp(o.weight_path, "m.png"));
    CHECK(o.pe.transparent && !o.pe.background_auto);
    const char *c[] = { "animate", "s.json", NULL };
    CHECK(parse(c, &o, err, sizeof err) == CLI_OK);
    CHECK(o.anim_frames == 120 && o.command == CLI_ANIMATE);
}

/* The settings name files without their directories; threads is no setting of a picture. */
static void settings_record_files_by_name(void)
{
    cli_options o;
    char err[256];
    const char *a[] = { IMG, "--palette", "/home/me/brand.txt", "-j", "3", "-bg", "white", NULL };
    CHECK(parse(a, &o, err, sizeof err) == CLI_OK);
    const char *keys[32], *values[32];
    const size_t n = cli_settings(&o, keys, values, 32);
    bool palette = false, background = false;
    for (size_t i = 0; i < n; i++) {
        CHECK(strcmp(keys[i], "threads") && strcmp(keys[i], "page"));
        palette = palette || (!strcmp(keys[i], "palette") && !strcmp(values[i], "brand.txt"));
        background = background || (!strcmp(keys[i], "background") &&
                                    !strcmp(values[i], "#ffffff"));
    }
    CHECK(palette && background);
    CHECK(cli_given(&o, "background") && !strcmp(cli_given(&o, "background"), "#ffffff"));
    CHECK(cli_given(&o, "triangles") == NULL);
    cli_record(&o, "triangles", "77");
    const size_t m = cli_settings(&o, keys, values, 32);
    CHECK(m == n && !strcmp(keys[0], "triangles") && !strcmp(values[0], "77"));
}

/* A state's settings come back; the command line wins; a palette comes from its path. */
static void a_state_gives_its_settings_back(void)
{
    cli_options o;
    char err[256];
    const char *a[] = { "--resume", "d", "-n", "300", NULL };
    CHECK(parse(a, &o, err, sizeof err) == CLI_OK);
    char *keys[] = { "triangles", "palette", "palette-path", "software", "input", "input-hash",
                     "background", "tiles" };
    char *values[] = { "200", "brand.txt", "/abs/brand.txt", "polyevolve 0", "x.png", "h",
                       "#102030", "2x2" };
    pe_state st = { .option_keys = keys, .option_values = values, .option_count = 8 };
    CHECK(cli_apply_state(&o, &st, err, sizeof err) == CLI_OK);
    CHECK(o.pe.triangles == 300);
    CHECK(o.palette_path && !strcmp(o.palette_path, "/abs/brand.txt"));
    CHECK(o.pe.background[2] == 0x30 && !o.pe.background_auto);
    CHECK(cli_given(&o, "background") == NULL);
    char *bad_keys[] = { "no-such" };
    char *bad_values[] = { "1" };
    pe_state bad = { .option_keys = bad_keys, .option_values = bad_values, .option_count = 1 };
    CHECK(cli_apply_state(&o, &bad, err, sizeof err) == CLI_USAGE && strstr(err, "no-such"));
    CHECK(cli_apply(&o, "frames", "x", err, sizeof err) == CLI_USAGE && strstr(err, "--frames"));
}

/* ---------------------------------------------------------------- layout */

static pe_page layout(const char *const *words, int w, int h)
{
    cli_options o;
    char err[256];
    const int rc = parse(words, &o, err, sizeof err);
    CHECK(rc == CLI_OK);
    if (rc != CLI_OK)
        fprintf(stderr, "  %s\n", err);
    const pe_result res = { .width = w, .height = h };
    return cli_page_layout(&o, &res);
}

#define MM (72.0 / 25.4)

static void a_named_page_fits_and_centres(void)
{
    const char *a3[] = { IMG, "--page", "A3", NULL };
    pe_page p = layout(a3, 64, 64); /* square: portrait, the width fills it */
    CHECK_NEAR(p.width, 297 * MM, 1e-9);
    CHECK_NEAR(p.height, 420 * MM, 1e-9);
    CHECK_NEAR(p.w, 297 * MM, 1e-9);
    CHECK_NEAR(p.h, 297 * MM, 1e-9);
    CHECK_NEAR(p.x, 0, 1e-9);
    CHECK_NEAR(p.y, (420 - 297) / 2.0 * MM, 1e-9);
    CHECK(p.unit == PE_UNIT_MM);
    p = layout(a3, 300, 100); /* wider than tall: landscape */
    CHECK_NEAR(p.width, 420 * MM, 1e-9);
    CHECK_NEAR(p.height, 297 * MM, 1e-9);
    CHECK_NEAR(p.w, 420 * MM, 1e-9);
    CHECK_NEAR(p.h, 140 * MM, 1e-9);
    CHECK_NEAR(p.y, (297 - 140) / 2.0 * MM, 1e-9);
    const char *margin[] = { IMG, "--page", "letter", "--margin", "0.5in", NULL };
    p = layout(margin, 100, 200); /* tall: portrait, the height fills it inside the margins */
    CHECK(p.unit == PE_UNIT_IN);
    CHECK_NEAR(p.width, 8.5 * 72, 1e-9);
    CHECK_NEAR(p.h, 10 * 72, 1e-9);
    CHECK_NEAR(p.w, 5 * 72, 1e-9);
    CHECK_NEAR(p.y, 0.5 * 72, 1e-9);
    CHECK_NEAR(p.x, (8.5 - 5) / 2 * 72, 1e-9);
}

static void an_explicit_page_is_not_turned(void)
{
    const char *wide[] = { IMG, "--page", "200x100mm", NULL };
    const pe_page p = layout(wide, 100, 200);
    CHECK_NEAR(p.width, 200 * MM, 1e-9);
    CHECK_NEAR(p.height, 100 * MM, 1e-9);
    CHECK_NEAR(p.h, 100 * MM, 1e-9);
    CHECK_NEAR(p.w, 50 * MM, 1e-9);
    CHECK_NEAR(p.x, 75 * MM, 1e-9);
}

static void one_length_is_the_longest_side(void)
{
    const char *cm[] = { IMG, "--page", "30cm", "--margin", "1cm", NULL };
    pe_page p = layout(cm, 200, 100);
    CHECK(p.unit == PE_UNIT_CM);
    CHECK_NEAR(p.width, 300 * MM, 1e-9);
    CHECK_NEAR(p.w, 280 * MM, 1e-9);
    CHECK_NEAR(p.h, 140 * MM, 1e-9);
    CHECK_NEAR(p.height, 160 * MM, 1e-9);
    CHECK_NEAR(p.x, 10 * MM, 1e-9);
    const char *none[] = { IMG, "-s", "100", NULL };
    p = layout(none, 50, 200); /* no --page: 1 pt per pixel of -s */
    CHECK(p.width == 25 && p.height == 100 && p.w == 25 && p.x == 0);
    const char *own[] = { IMG, "--margin", "10pt", NULL };
    p = layout(own, 50, 20);
    CHECK(p.width == 70 && p.height == 40 && p.w == 50 && p.x == 10 && p.y == 10);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(every_case_parses_as_listed);
    RUN(defaults_come_from_the_library);
    RUN(derived_fields_follow);
    RUN(settings_record_files_by_name);
    RUN(a_state_gives_its_settings_back);
    RUN(a_named_page_fits_and_centres);
    RUN(an_explicit_page_is_not_turned);
    RUN(one_length_is_the_longest_side);
    TEST_MAIN_END();
}
