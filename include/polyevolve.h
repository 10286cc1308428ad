/* polyevolve.h: turn a picture into translucent triangles; the only public header.
 *
 * Typical use (the whole program, with arguments: examples/approximate.c; the test
 * header_sketch builds and runs these lines as they stand):
 *
 *     pe_image img;                                 // owned by you, free with pe_image_free
 *     pe_status st = pe_image_load("mona.png", NULL, &img);  // NULL: the default limits
 *     pe_options opt = pe_options_default();
 *     opt.triangles = 250;
 *     pe_result res = { 0 };                        // owned by you, free with pe_result_free
 *     if (st == PE_OK)
 *         st = pe_approximate(&img, &opt, &res);
 *     if (st == PE_OK)
 *         st = pe_write_svg(stdout, &res, NULL);
 *     if (st != PE_OK)
 *         fprintf(stderr, "polyevolve: %s\n", pe_status_str(st));
 *     pe_result_free(&res);                         // both safe after any failure: a failed
 *     pe_image_free(&img);                          // call zeroes its out-parameters
 *
 * Every function that can fail returns a pe_status and writes its result through the last
 * parameter; on failure the out-parameters are zeroed so the matching _free is always safe.
 * A NULL pointer where an object is expected (one not documented as optional), a malformed
 * struct or a value outside its documented range is PE_ERR_INVALID_ARG, never a crash.
 * Free functions accept NULL and zeroed structs. The library never prints, exits or reads the
 * environment.
 *
 * Threads: pe_approximate shares its work among OpenMP threads internally (opt.threads), and
 * pe_parallel_for lends those threads to a caller's independent pieces of work; every other
 * function is reentrant. Separate calls share no state. Called from inside a parallel region
 * of the caller's, they run on that one thread (no nested regions).
 *
 * Determinism: the same image, options and seed give bit-identical results and byte-identical
 * written files, whatever the thread count. Runs stopped by a time limit stop at the end of a
 * step that depends on the machine's speed (the result is still a deterministic prefix of the
 * same run).
 *
 * The dual-annealing minimizer (pe_dual_annealing) is usable on its own for any bounded
 * problem: it knows nothing about images.
 */
#ifndef POLYEVOLVE_H
#define POLYEVOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PE_NODISCARD __attribute__((warn_unused_result))
#else
#define PE_NODISCARD
#endif

/* ---------------------------------------------------------------- status codes */

typedef enum pe_status {
    PE_OK = 0,
    PE_ERR_NOMEM,       /* out of memory */
    PE_ERR_IO,          /* cannot read or write a file (errno tells more) */
    PE_ERR_FORMAT,      /* a file's contents are malformed or of an unsupported kind */
    PE_ERR_INVALID_ARG, /* an argument or option is out of its documented range */
    PE_ERR_LIMIT,       /* the input exceeds a configured limit (e.g. pixel count) */
    PE_ERR_NONFINITE,   /* the objective kept returning NaN or infinity */
    PE_ERR_INTERRUPTED  /* stopped early on request; results are still valid */
} pe_status;

/* A short English description of a status ("out of memory"); never NULL. */
const char *pe_status_str(pe_status status);

/* ---------------------------------------------------------------- dual annealing */

/* The objective: returns f(x). May return NaN or +-inf (treated as in SciPy). */
typedef double (*pe_objective_fn)(const double *x, size_t dim, void *ctx);

/* Called on every new global best. context: 0 = found by the annealing chain, 1 = by the
 * local search after an improving chain, 2 = by the local search after a stall.
 * Return true to stop the run (the result is then the best so far, success = false). */
typedef bool (*pe_da_callback_fn)(const double *x, size_t dim, double f, int context, void *ctx);

/* A pluggable local search. Start from x (length dim, inside [lower, upper]) whose value is
 * *fx; on return x and *fx hold the point it found (it may leave them unchanged). Every call of
 * f it makes must be counted in *nfev (added to, not overwritten): the engine's maxfun applies.
 * The engine keeps the answer only if it is finite, inside the bounds and strictly lower.
 * Returning anything but PE_OK stops the run with that status. */
typedef pe_status (*pe_local_search_fn)(pe_objective_fn f, void *f_ctx, size_t dim,
                                        const double *lower, const double *upper, double *x,
                                        double *fx, uint64_t *nfev, void *ls_ctx);

typedef struct pe_da_options {
    int maxiter;               /* outer iterations. Default 1000 */
    uint64_t maxfun;           /* soft cap on evaluations. Default 10000000 */
    double initial_temp;       /* visiting temperature T0, (0.01, 5e4]. Default 5230 */
    double restart_temp_ratio; /* re-anneal when T < T0 * ratio, (0, 1). Default 2e-5 */
    double visit;              /* visiting parameter q_v, (1, 3]. Default 2.62 */
    double accept;             /* acceptance parameter q_a, (-1e4, -5]. Default -5 */
    uint64_t seed;             /* seeds the run's PCG32 generator. Default 0 */
    uint64_t stream;           /* PCG32 stream: independent sequences for one seed. Default 0 */
    bool no_local_search;      /* true = generalized simulated annealing only. Default false */
    const double *x0;          /* start point (dim values), borrowed; NULL = random. Default NULL */
    pe_da_callback_fn callback; /* Default NULL */
    void *callback_ctx;
    pe_local_search_fn local_search; /* NULL = L-BFGS-B with forward-difference gradient */
    void *local_search_ctx;
} pe_da_options;

typedef enum pe_da_stop {
    PE_DA_STOP_NONE = 0,         /* the run did not start (input error) */
    PE_DA_STOP_MAXITER,          /* "Maximum number of iteration reached" (success) */
    PE_DA_STOP_MAXFUN_ANNEALING, /* maxfun reached during the annealing chain */
    PE_DA_STOP_MAXFUN_LOCAL,     /* maxfun reached in the local search after an improvement */
    PE_DA_STOP_MAXFUN_STALL,     /* maxfun reached in the local search after a stall */
    PE_DA_STOP_CALLBACK,         /* the callback returned true */
    PE_DA_STOP_ERROR             /* non-finite objective, local-search failure */
} pe_da_stop;

typedef struct pe_da_result {
    double fun;           /* best value found */
    uint64_t nfev;        /* all evaluations: start, re-anneals, chain, local search */
    uint64_t njev;        /* gradient evaluations made by the default local search */
    int nit;              /* outer iterations completed */
    int reanneals;        /* number of re-anneals */
    int ls_calls;         /* local searches run */
    bool success;         /* true when stopped by maxiter */
    pe_da_stop stop;      /* why it stopped */
    const char *message;  /* static English text for stop or for the input error */
} pe_da_result;

/* The defaults listed above (SciPy's). */
pe_da_options pe_da_options_default(void);

/* Minimize f over the box [lower, upper] (dim values each, finite, lower < upper) with
 * dual annealing (Xiang et al.; as scipy.optimize.dual_annealing). x_best (dim values) receives
 * the best point; res (may be NULL) the statistics. Returns PE_ERR_INVALID_ARG with
 * res->message set for bad input, PE_ERR_NONFINITE when f is not finite at 1001 consecutive start
 * points, PE_ERR_NOMEM, or a local search's own error. Reentrant: no global state. */
PE_NODISCARD pe_status pe_dual_annealing(pe_objective_fn f, void *ctx, size_t dim,
                                         const double *lower, const double *upper,
                                         const pe_da_options *opt, double *x_best,
                                         pe_da_result *res);

/* ---------------------------------------------------------------- images */

/* 8-bit RGBA, non-premultiplied, rows top to bottom, stride 4 * width. */
typedef struct pe_image {
    int width, height;
    unsigned char *rgba; /* owned; free with pe_image_free */
} pe_image;

typedef struct pe_load_limits {
    uint64_t max_pixels; /* refuse larger images before decoding. Default 50000000 (50
                          * megapixels, 200 MB as RGBA) */
} pe_load_limits;

/* The defaults above. */
pe_load_limits pe_load_limits_default(void);

/* Load PNG, JPEG (baseline or progressive), BMP, TGA, GIF (first frame), PSD or binary PNM
 * (P5/P6) from path into *out: always RGBA, 8 bits per channel (gray is copied into R, G and B,
 * palettes are expanded, images without alpha get A = 255, 16-bit samples are reduced to 8).
 * Free *out with pe_image_free. lim may be NULL for the defaults.
 *   PE_ERR_IO      the file cannot be opened or read, or is a directory; errno says why
 *                  (EISDIR for a directory).
 *   PE_ERR_FORMAT  empty, not an image in one of these formats, or malformed: truncated data is
 *                  refused (a PNG without IEND, a JPEG without EOI after its scan, a raw format
 *                  shorter than its header says), never padded.
 *   PE_ERR_LIMIT   width * height > lim->max_pixels, found from the header before decoding.
 *   PE_ERR_NOMEM   out of memory.
 * On failure *out is zeroed. Reentrant: no global state. */
PE_NODISCARD pe_status pe_image_load(const char *path, const pe_load_limits *lim, pe_image *out);

/* The same from memory (used by the fuzz target and tests). data is borrowed; NULL only with
 * size 0 (an empty input: PE_ERR_FORMAT). */
PE_NODISCARD pe_status pe_image_load_memory(const unsigned char *data, size_t size,
                                            const pe_load_limits *lim, pe_image *out);

/* A why buffer of this size is never truncated. */
#define PE_IMAGE_WHY_LEN 256

/* As pe_image_load and pe_image_load_memory, and on failure also write one English phrase
 * saying precisely why into why (why_len bytes, always NUL-terminated; "" on success), e.g.
 * "truncated PNG: no IEND chunk" or "image is 100000x100000 = 1e+10 pixels, above the limit of
 * 5e+07". The phrase names no path: the caller adds it. why may be NULL. */
PE_NODISCARD pe_status pe_image_load_ex(const char *path, const pe_load_limits *lim,
                                        pe_image *out, char *why, size_t why_len);
PE_NODISCARD pe_status pe_image_load_memory_ex(const unsigned char *data, size_t size,
                                               const pe_load_limits *lim, pe_image *out,
                                               char *why, size_t why_len);

/* As pe_image_load_ex, from a stream open for reading (stdin): read to its end with the bounds
 * of a file (a stream that does not start as an image is refused at its first block, one longer
 * than any image within lim's pixel limit as soon as it is). f is left open. */
PE_NODISCARD pe_status pe_image_load_stream_ex(FILE *f, const pe_load_limits *lim,
                                               pe_image *out, char *why, size_t why_len);

/* Free img's pixels and zero it. NULL and zeroed images are fine. */
void pe_image_free(pe_image *img);

/* ---------------------------------------------------------------- the approximation */

/* One translucent triangle. Coordinates are in input-image pixels (0,0 = top-left corner of
 * the image, x right, y down); colour is non-premultiplied, each channel a value k/255. */
typedef struct pe_triangle {
    float x[3], y[3];
    unsigned char r, g, b, a;
} pe_triangle;

typedef enum pe_frame_spacing { PE_FRAMES_LINEAR = 0, PE_FRAMES_LOG } pe_frame_spacing;

/* Progress at the end of a step: the picture as it stands. */
typedef struct pe_progress {
    int step, steps;          /* steps done, and the total for the iteration budget */
    double fraction;          /* 0..1 of the budget (the larger of steps and time) */
    double loss;              /* mean squared error per channel value in 0..1, working size */
    double psnr;              /* 10 log10(1 / loss) */
    uint64_t evaluations;     /* objective evaluations so far, the whole run */
    uint64_t iterations;      /* annealing iterations so far, the whole run */
    double cpu_seconds, wall_seconds;
    const pe_image *canvas;   /* the shared working canvas, valid only during the call */
    bool frame;               /* true when this point is one of the requested frames */
} pe_progress;

struct pe_result;

/* Called once per step, in order and never two at once, on any one of the run's threads while
 * the others go on with the next ops (p->canvas and partial are the step's own copies). Return
 * true to stop the run there: the result is then that step's, complete and valid, and
 * pe_approximate returns PE_ERR_INTERRUPTED. */
typedef bool (*pe_progress_fn)(const pe_progress *p, const struct pe_result *partial, void *ctx);

/* Refinement rounds when pe_options.iterations is 0 and there is no time limit: many short
 * rounds gain more per CPU second than fewer, longer ones (docs/benchmarks.md). */
#define PE_DEFAULT_ROUNDS 6

typedef struct pe_options {
    int triangles;           /* triangles in the picture. Default 250 */
    int resize;              /* working size: longest side in pixels, 0 = input size. Default 256 */
    int threads;             /* OpenMP threads, 0 = all cores; at most 4 per processor and 33
                              * are started (more would only contend). Default 0 */
    uint64_t seed;           /* Default 1 */
    int iterations;          /* refinement rounds over every triangle, 0..1000000, 0 =
                              * PE_DEFAULT_ROUNDS (with time_limit alone: rounds until then).
                              * Default 0 */
    double time_limit;       /* seconds of wall time, finite, 0 = none (infinity and NaN are
                              * PE_ERR_INVALID_ARG: "no limit" is 0). Default 0 */
    double target_psnr;      /* stop when the working PSNR reaches this, finite, 0 = none.
                              * Default 0 */
    bool transparent;        /* canvas starts transparent; fit alpha too. Default false */
    bool background_auto;    /* background = mean colour of the image. Default true */
    unsigned char background[3]; /* used when !background_auto && !transparent */
    int frames;              /* requested frames (progress points flagged frame), 0..100000.
                              * Default 100 */
    pe_frame_spacing frame_spacing; /* Default PE_FRAMES_LINEAR */
    pe_progress_fn progress; /* Default NULL */
    void *progress_ctx;
    const struct pe_result *resume; /* start from this result's triangles (scaled to this image;
                                     * rounds go on from its rounds_done) or NULL. It must pass
                                     * the checks pe_state_write makes (sizes, counts, rounds_done,
                                     * finite coordinates near the image; docs/state-format.md),
                                     * else PE_ERR_INVALID_ARG */
    bool steady;                    /* refinement only moves triangles: no regrow replaces the
                                     * least useful ones elsewhere. For a frame that starts from
                                     * the previous one (a sequence), where a replaced triangle
                                     * is a jump between frames. Default false */
    const volatile int *cancel;     /* when it reads non-zero (a signal handler may set it), the
                                     * run stops once the ops in flight have landed (about 0.1 s
                                     * at the defaults), as if the progress callback had asked.
                                     * Default NULL */
    /* Artist controls (all borrowed; see docs/guide.md, "Opacity, importance, palette"): */
    double alpha;            /* every triangle's opacity, in (0, 1] (drawn as round(255 alpha),
                              * at least 1/255); 0 = solved per triangle. Default 0 */
    const pe_image *weight;  /* importance mask of any size, scaled to the working size: its
                              * luminance times its alpha, black = ignore, white = full weight.
                              * NULL = every pixel alike. Default NULL */
    bool weight_auto;        /* derive the importance from the image (when weight is NULL).
                              * Default false */
    const unsigned char *palette; /* palette_size RGB triples: every triangle's colour, and an
                              * auto background, is one of them. Default NULL */
    int palette_size;        /* entries in palette, 1..256; with palette NULL, extract this many
                              * colours from the image (libimagequant). 0 = free colours */
} pe_options;

pe_options pe_options_default(void);

typedef struct pe_result {
    int width, height;           /* input image size: the coordinate space of everything here */
    int work_width, work_height; /* working size the optimisation ran at */
    unsigned char background[4]; /* RGBA; a = 0 when transparent */
    pe_triangle *triangles;      /* drawn in this order; owned */
    size_t count;
    double loss, psnr;           /* at the working size, as in pe_progress */
    uint64_t evaluations, iterations;
    int rounds_done;             /* refinement rounds completed (for resume) */
    uint64_t seed;
} pe_result;

/* Approximate target with triangles. *out receives the result (free with pe_result_free),
 * also when PE_ERR_INTERRUPTED is returned (a complete result of the work done so far).
 * PE_ERR_INVALID_ARG for a NULL or empty target, NULL opt or out, and out-of-range options. */
PE_NODISCARD pe_status pe_approximate(const pe_image *target, const pe_options *opt,
                                      pe_result *out);

void pe_result_free(pe_result *res);

/* Deep copy of src into *out. PE_ERR_INVALID_ARG when src or out is NULL or src has count > 0
 * and no triangles. */
PE_NODISCARD pe_status pe_result_copy(const pe_result *src, pe_result *out);

/* Read a palette file into *rgb (3 bytes per colour, malloc'ed: free() it) and *count
 * (1..256): either a GIMP palette ("GIMP Palette" header, then "R G B [name]" lines; "Name:",
 * "Columns:" and "#" comment lines are skipped) or a list of hex colours ("#RRGGBB" or
 * "RRGGBB", separated by blanks, commas or newlines; "#" followed by a space starts a comment).
 * A UTF-8 byte-order mark before the first line is skipped; a line may hold up to 65535 bytes
 * and the file 16 MiB, and a NUL byte is refused (a binary file). PE_ERR_IO when it cannot be
 * read, PE_ERR_FORMAT for anything else wrong (why, of why_len bytes, names the line and the
 * problem; may be NULL), PE_ERR_NOMEM, PE_ERR_INVALID_ARG when path, rgb or count is NULL. On
 * failure *rgb = NULL and *count = 0. */
PE_NODISCARD pe_status pe_palette_load(const char *path, unsigned char **rgb, int *count,
                                       char *why, size_t why_len);

/* ---------------------------------------------------------------- threads */

/* Call fn(ctx, i) once for every i in [0, n), on up to `threads` threads (0 = all cores; the
 * OpenMP threads pe_approximate uses; one without OpenMP), and return when all have ended.
 * Calls run in any order and at once: each must write only what belongs to its i. For
 * independent work around a run: the program draws and encodes its frames this way. */
void pe_parallel_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);
/* (fn NULL: nothing is called, for both.) */

/* Call fn(ctx) on the calling thread with every OpenMP loop it starts (in this library or
 * another, such as libimagequant) limited to that one thread, and return when it has ended.
 * For a library whose results depend on its number of threads (libimagequant adds per-thread
 * partial sums): run this way, it gives the same bytes on every machine and at every -j. */
void pe_parallel_serial(void (*fn)(void *ctx), void *ctx);

/* ---------------------------------------------------------------- output */

/* Key/value text that writers embed (PNG tEXt, SVG <metadata>, PDF info). A writer's meta may
 * be NULL; otherwise keys and values hold count strings, none NULL (else PE_ERR_INVALID_ARG). */
typedef struct pe_metadata {
    const char *const *keys;
    const char *const *values;
    size_t count;
} pe_metadata;

/* What every writer draws (the contract pe_render, SVG and PDF share):
 * - coordinates are input-image pixels of res (width x height), (0,0) top-left, y down;
 * - background RGBA: a == 0 leaves the canvas transparent, otherwise a rect covers it first;
 * - triangles in array order, "over" with non-premultiplied (r,g,b)/255 and opacity a/255,
 *   non-zero fill, antialiased, no stroke, unclipped: whatever reaches past the canvas is
 *   simply not seen.
 * All writers are deterministic: the same arguments give the same bytes. They return
 * PE_ERR_INVALID_ARG for a NULL or malformed result (non-finite or huge coordinates, bad
 * sizes, triangles NULL with count > 0) or a NULL stream, PE_ERR_IO when the stream reports an
 * error, PE_ERR_NOMEM. */

/* SVG: viewBox = input size, background rect (unless transparent), one <polygon> per
 * triangle with fill and fill-opacity. Coordinates are rounded to 0.01 px; numbers are
 * formatted without the C locale. meta may be NULL. */
PE_NODISCARD pe_status pe_write_svg(FILE *f, const pe_result *res, const pe_metadata *meta);

/* As pe_write_svg, with the root's width and height (the size viewers and browsers show it at)
 * set to width x height pixels (0 = input size, one of them 0 = keep the aspect ratio; at most
 * 1e7, else PE_ERR_INVALID_ARG); the viewBox and everything inside stay in input pixels.
 * pe_write_svg(f, res, meta) is pe_write_svg_sized(f, res, 0, 0, meta). */
PE_NODISCARD pe_status pe_write_svg_sized(FILE *f, const pe_result *res, double width,
                                          double height, const pe_metadata *meta);

/* Render the triangles antialiased (cairo) at width x height (0 = input size, one of them 0 =
 * keep the aspect ratio; at most 32767 each, else PE_ERR_INVALID_ARG) into *out (RGBA,
 * non-premultiplied; free with pe_image_free). Matches librsvg's rendering of the SVG. */
PE_NODISCARD pe_status pe_render(const pe_result *res, int width, int height, pe_image *out);

/* PNG (8-bit RGBA or RGB when opaque) of img, with meta as tEXt chunks right after IHDR.
 * Keys must be 1-79 printable Latin-1 bytes (PE_ERR_INVALID_ARG otherwise); values are
 * written as given (Latin-1 by the PNG spec). PE_ERR_LIMIT when (4 * width + 1) * height
 * exceeds INT_MAX (stb_image_write's limit). */
PE_NODISCARD pe_status pe_write_png(FILE *f, const pe_image *img, const pe_metadata *meta);

/* JPEG (libjpeg-turbo, baseline, optimised Huffman tables) of img at quality 1-100 (95 shows no
 * ringing on triangle edges). JPEG has no alpha: pixels are composited over white. meta goes
 * into one COM marker as "key=value; key=value" (cut at 65533 bytes). PE_ERR_INVALID_ARG for a
 * bad image, quality or a side above 65500; PE_ERR_IO when the stream fails. */
PE_NODISCARD pe_status pe_write_jpeg(FILE *f, const pe_image *img, int quality,
                                     const pe_metadata *meta);

/* PDF, vector, one page of width x height points (0 = input size, one of them 0 = keep the
 * aspect ratio), same drawing as the SVG. meta goes into the Keywords entry as
 * "key=value; key=value"; Creator is "polyevolve". The creation date is fixed
 * (2000-01-01) so that the bytes are deterministic. */
PE_NODISCARD pe_status pe_write_pdf(FILE *f, const pe_result *res, double width, double height,
                                    const pe_metadata *meta);

/* Print sizes, for pe_write_pdf_page and pe_write_svg_page: the page, and the rectangle on it
 * that the picture fills. Every length is in points (1/72 in); unit only says how the SVG
 * states its size. The caller chooses the layout (fitted, centred, with a margin): the writers
 * draw where they are told. */
typedef enum pe_unit { PE_UNIT_PT = 0, PE_UNIT_MM, PE_UNIT_CM, PE_UNIT_IN } pe_unit;

typedef struct pe_page {
    double width, height; /* the page, at most 1e6 pt a side */
    double x, y;          /* the picture's top-left corner, from the page's top-left corner */
    double w, h;          /* the picture's size on the page (give it res's aspect ratio) */
    pe_unit unit;         /* the SVG's width and height are written in this unit */
} pe_page;

/* PDF: one page of page->width x page->height points with the drawing filling the rectangle
 * (x, y, w, h), clipped to it, and nothing drawn around it (blank paper); pe_write_pdf(f, res,
 * W, H, meta) is the page of W x H that the picture fills. SVG: the picture alone (no page, no
 * margin), its width and height page->w x page->h written in page->unit ("277mm", "11in")
 * and its viewBox in input pixels as pe_write_svg's, so a drawing program imports it at print
 * size. PE_ERR_INVALID_ARG when page is NULL, a length is not finite, a side is outside
 * [0.01, 1e6] points or the picture is not inside the page; otherwise as pe_write_pdf and
 * pe_write_svg. */
PE_NODISCARD pe_status pe_write_pdf_page(FILE *f, const pe_result *res, const pe_page *page,
                                         const pe_metadata *meta);
PE_NODISCARD pe_status pe_write_svg_page(FILE *f, const pe_result *res, const pe_page *page,
                                         const pe_metadata *meta);

/* ---------------------------------------------------------------- state file */

/* The state file (docs/state-format.md) keeps everything needed to redraw or resume a run:
 * JSON {"format": "polyevolve-state", "version": 2, ...}. Floats are written so that they
 * read back bit-identical: rendering a read-back state gives the same bytes. The reader also
 * takes version 1 (files of older versions; what it held that is gone now is ignored). */
#define PE_STATE_FORMAT "polyevolve-state"
#define PE_STATE_VERSION 2

typedef struct pe_state {
    int version;           /* format version of the file read (1 or PE_STATE_VERSION) */
    pe_result result;      /* every field of the written pe_result; owned */
    char *input_path;      /* owned; NULL when written without one */
    char **option_keys;    /* option_count owned strings each; keys are unique */
    char **option_values;
    size_t option_count;
} pe_state;

/* Write res, the input path (may be NULL) and options (may be NULL; keys must be unique)
 * as a state file. PE_ERR_INVALID_ARG when f or res is NULL, options is malformed, or res
 * would not be accepted by pe_state_read (see the limits in docs/state-format.md), PE_ERR_IO
 * on a stream error. */
PE_NODISCARD pe_status pe_state_write(FILE *f, const pe_result *res, const char *input_path,
                                      const pe_metadata *options);

/* Read a state file into *out (free with pe_state_free). PE_ERR_IO if it cannot be read,
 * PE_ERR_FORMAT for anything malformed, inconsistent or out of range (it never crashes on
 * any input), PE_ERR_NOMEM. On failure *out is zeroed. */
PE_NODISCARD pe_status pe_state_read(const char *path, pe_state *out);

/* The same from memory: text need not be NUL-terminated (for the fuzz target); NULL only with
 * len 0 (an empty text: PE_ERR_FORMAT). */
PE_NODISCARD pe_status pe_state_parse(const char *text, size_t len, pe_state *out);

/* A why buffer of this size is never truncated for the fixed text (field names may be cut). */
#define PE_STATE_WHY_LEN 256

/* As pe_state_read and pe_state_parse, and on PE_ERR_FORMAT also write one English phrase
 * naming the field and the rule it breaks into why (why_len bytes, NUL-terminated, "" on
 * success; may be NULL), e.g. "rounds_done: 2.14748e+09 is outside [0, 1.67772e+07]". The
 * reader's memory is proportional to what it keeps: a first pass walks the text without
 * building anything, the values of fields it does not keep are limited (docs/state-format.md),
 * and the triangles are parsed one at a time. A NUL byte or a first character other than '{' is
 * refused as soon as it is read, so an endless stream (/dev/zero) is not read on. */
PE_NODISCARD pe_status pe_state_read_ex(const char *path, pe_state *out, char *why,
                                        size_t why_len);
PE_NODISCARD pe_status pe_state_parse_ex(const char *text, size_t len, pe_state *out, char *why,
                                         size_t why_len);

/* A borrowed view of st's options, e.g. to pass them on to a writer as metadata (empty for a
 * NULL st). */
pe_metadata pe_state_options(const pe_state *st);

void pe_state_free(pe_state *st);

/* ---------------------------------------------------------------- animation */

/* The flight animation (polyevolve animate): the final picture assembles itself, triangle by
 * triangle in drawing order, each one flying in from outside the canvas along a smooth random
 * path and landing exactly on its place.
 * - Frame f of F (0 <= f < F) sits at time T = f / (F - 1) (T = 1 when F = 1).
 * - Triangle i of n starts at S_i = (1 - PE_ANIMATE_FLIGHT) * i / (n - 1) (0 when n = 1) and
 *   flies for PE_ANIMATE_FLIGHT of the animation, so the last one lands at T = 1: in the last
 *   frame every triangle is at its final place.
 * - Its path translates it (no rotation) along a C1 spline of cubic Bézier segments through
 *   five anchors: two with the whole triangle outside the canvas (a random point around it,
 *   then a second one further along the same ring), two random ones closing in, and its final
 *   place, where it arrives at rest. Paths depend only on (seed, i, the triangle, the size). */
#define PE_ANIMATE_FLIGHT 0.25

/* Build frame `frame` (0-based) of a `frames`-frame animation of final into *out (free with
 * pe_result_free); draw it with pe_render or any writer. out copies final's fields, except:
 * - triangles that have not started yet are left out (out->count <= final->count; the ones
 *   present keep their drawing order);
 * - landed triangles are bit-for-bit final's (same coordinates and colour).
 * So the last frame (frame = frames - 1) draws exactly like final: pe_render gives the same
 * bytes for both. PE_ERR_INVALID_ARG when frames < 1, frame is outside [0, frames) or final
 * is not drawable; PE_ERR_NOMEM. On failure *out is zeroed. Deterministic for a seed;
 * reentrant. */
PE_NODISCARD pe_status pe_animate_frame(const pe_result *final, int frame, int frames,
                                        uint64_t seed, pe_result *out);

/* ---------------------------------------------------------------- sequences */

/* What pe_warm_start found. Losses are mean squared errors per channel value in 0..1 at the
 * working size, drawn by pe_render (as pe_result.loss, up to the model's antialiasing). */
typedef struct pe_warm_info {
    double dx, dy;     /* the camera's translation from the previous image to this one, in this
                        * image's pixels (content at x moved to x + d); 0 when there is no
                        * previous image, the sizes differ, or standing still fits as well */
    double prev_loss;  /* the previous result against its own image */
    double warm_loss;  /* the start (moved and scaled) against this image */
    double flat_loss;  /* a flat canvas of this image's mean colour against it */
    bool cut;          /* the start keeps less than half of the loss the previous result removed
                        * from a flat canvas: a scene cut, so start cold */
} pe_warm_info;

/* The start of a sequence frame: prev (the previous frame's result) moved by the translation
 * found between prev_image and image (only when they have the same size), scaled to image's
 * size and working size (opt->resize), with rounds_done = 0, into *start (free with
 * pe_result_free); pass it as pe_options.resume, and the run refines it for opt->iterations
 * rounds (adding triangles first when opt asks for more). prev_image may
 * be NULL (a start from any state, e.g. --init): no translation, no cut test, losses 0; info
 * may be NULL. PE_ERR_INVALID_ARG for other missing or empty arguments and for a prev that is
 * not drawable (as pe_render checks), PE_ERR_NOMEM. Deterministic. */
PE_NODISCARD pe_status pe_warm_start(const pe_result *prev, const pe_image *prev_image,
                                     const pe_image *image, const pe_options *opt,
                                     pe_result *start, pe_warm_info *info);

#ifdef __cplusplus
}
#endif

#endif /* POLYEVOLVE_H */
