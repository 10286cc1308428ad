/* test_tile: the grid covers every pixel once, its borders avoid detail when there is a choice;
 * the budget split is exact and deterministic. */
#include "test.h"
#include "tile.h"

#include <stdbool.h>

static void grid_covers_every_pixel_once(void)
{
    const int sizes[][4] = { { 256, 256, 2, 2 }, { 687, 1024, 5, 8 }, { 17, 3, 4, 3 },
                             { 2000, 20, 16, 1 }, { 1, 1, 1, 1 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1], c = sizes[s][2], r = sizes[s][3];
        pe_tile_rect rects[64];
        pe_tile_grid(w, h, c, r, rects);
        unsigned char *seen = calloc((size_t)w * h, 1);
        for (int t = 0; t < c * r; t++) {
            CHECK(rects[t].x0 < rects[t].x1 && rects[t].y0 < rects[t].y1);
            for (int y = rects[t].y0; y < rects[t].y1; y++)
                for (int x = rects[t].x0; x < rects[t].x1; x++)
                    seen[y * w + x]++;
        }
        for (int i = 0; i < w * h; i++)
            CHECK(seen[i] == 1);
        free(seen);
    }
}

static void default_grid_follows_size_and_count(void)
{
    int c, r;
    pe_tile_default_grid(NULL, 256, 256, 250, &c, &r); /* two tiles of 125 triangles */
    CHECK(c * r == 2);
    pe_tile_default_grid(NULL, 256, 256, 500, &c, &r);
    CHECK(c == 2 && r == 2);
    pe_tile_default_grid(NULL, 256, 256, 50, &c, &r); /* few triangles: one tile */
    CHECK(c == 1 && r == 1);
    pe_tile_default_grid(NULL, 16, 16, 250, &c, &r);
    CHECK(c == 1 && r == 1);
    pe_tile_default_grid(NULL, 2000, 20, 10000, &c, &r);
    CHECK(c == 16 && r == 1);
    pe_tile_default_grid(NULL, 687, 1024, 4000, &c, &r); /* 40 by size, at most 32 by count */
    CHECK(c == 4 && r == 8);
    pe_tile_default_grid(NULL, 687, 1024, 1250, &c, &r); /* at most 10 tiles, still about square */
    CHECK(c * r <= 10 && c >= 2 && r >= 3);
}

/* A square picture in two tiles: the border goes where the picture is calm. Fine stripes along
 * the middle row make the 1x2 border (horizontal) cross detail, so 2x1 is taken; the same
 * picture turned a quarter gives 1x2. */
static void grid_border_avoids_detail(void)
{
    enum { S = 256 };
    float *img = malloc((size_t)S * S * 4 * sizeof *img),
          *turned = malloc((size_t)S * S * 4 * sizeof *img);
    CHECK(img && turned);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            const bool stripe = y >= S / 2 - 16 && y < S / 2 + 16 && (x / 2) % 2;
            float *p = img + 4 * (y * S + x), *q = turned + 4 * (x * S + y);
            for (int c = 0; c < 3; c++)
                p[c] = q[c] = stripe ? 1.0f : 0.3f + 0.001f * (float)x;
            p[3] = q[3] = 1.0f;
        }
    CHECK(pe_tile_border_detail(img, S, S, 1, 2) > pe_tile_border_detail(img, S, S, 2, 1));
    CHECK(pe_tile_border_detail(img, S, S, 1, 1) == 0.0);
    int c, r;
    pe_tile_default_grid(img, S, S, 250, &c, &r);
    CHECK(c == 2 && r == 1);
    pe_tile_default_grid(turned, S, S, 250, &c, &r);
    CHECK(c == 1 && r == 2);
    pe_tile_default_grid(img, S, S, 500, &c, &r); /* no choice to make: the size grid */
    CHECK(c == 2 && r == 2);
    free(img);
    free(turned);
}

static void allocation_is_exact(void)
{
    const double w[5] = { 1.0, 3.0, 0.0, 6.0, 0.5 };
    int out[5];
    pe_tile_allocate(250, w, 5, 1, out);
    int sum = 0;
    for (int i = 0; i < 5; i++)
        sum += out[i];
    CHECK(sum == 250);
    CHECK(out[2] == 0);
    CHECK(out[3] > out[1] && out[1] > out[0] && out[0] >= out[4] && out[4] >= 1);
    pe_tile_allocate(3, w, 5, 1, out); /* fewer than tiles with weight: still exact */
    CHECK(out[0] + out[1] + out[2] + out[3] + out[4] == 3);
    const double z[3] = { 0, 0, 0 };
    pe_tile_allocate(7, z, 3, 1, out);
    CHECK(out[0] == 3 && out[1] == 2 && out[2] == 2);
}

/* Tiles reach into their neighbours by the overlap, and beyond the image where there is none. */
static void reach_overlaps_neighbours(void)
{
    pe_tile_rect rects[4], reach;
    double box[4];
    pe_tile_grid(256, 200, 2, 2, rects);
    pe_tile_reach(&rects[0], 256, 200, 4, box, &reach); /* top left */
    CHECK(reach.x0 == 0 && reach.y0 == 0 && reach.x1 == 132 && reach.y1 == 104);
    CHECK(box[0] == -32.0 && box[1] == -25.0 && box[2] == 132.0 && box[3] == 104.0);
    pe_tile_reach(&rects[3], 256, 200, 4, box, &reach); /* bottom right */
    CHECK(reach.x0 == 124 && reach.y0 == 96 && reach.x1 == 256 && reach.y1 == 200);
    CHECK(box[0] == 124.0 && box[1] == 96.0 && box[2] == 288.0 && box[3] == 225.0);
    pe_tile_grid(20, 10, 1, 1, rects); /* a lone small tile: 8 px outside at least */
    pe_tile_reach(&rects[0], 20, 10, 4, box, &reach);
    CHECK(reach.x0 == 0 && reach.y0 == 0 && reach.x1 == 20 && reach.y1 == 10);
    CHECK(box[0] == -8.0 && box[1] == -8.0 && box[2] == 28.0 && box[3] == 18.0);
    pe_tile_grid(6, 6, 3, 1, rects); /* an overlap wider than the tile stops at the image */
    pe_tile_reach(&rects[1], 6, 6, 4, box, &reach);
    CHECK(reach.x0 == 0 && reach.x1 == 6);
    CHECK(pe_tile_default_overlap(&rects[1]) == 2);
    pe_tile_grid(256, 256, 2, 2, rects);
    CHECK(pe_tile_default_overlap(&rects[0]) == 4);
}

int main(int argc, char **argv)
{
    TEST_MAIN_BEGIN(argc, argv);
    RUN(reach_overlaps_neighbours);
    RUN(grid_covers_every_pixel_once);
    RUN(default_grid_follows_size_and_count);
    RUN(grid_border_avoids_detail);
    RUN(allocation_is_exact);
    TEST_MAIN_END();
}
