/* adopt: a run that starts from a previous result (a resume, --init, a sequence's frame
 * before), of this image or another, instead of an empty stack. */
#ifndef PE_ADOPT_H
#define PE_ADOPT_H

#include "polyevolve.h"
#include "sched.h"
#include "style.h"

/* Put prev's triangles, scaled to the brief's canvas and brought inside the style (a resumed
 * run may change palette or alpha), into the scheduler's empty stack. When the brief asks for
 * more triangles than prev holds, the rest are added first and the rounds start again;
 * otherwise the rounds go on from where prev stopped; when it asks for fewer, those that
 * remove the most loss where they are are kept, in their order. wk is scratch for measuring. */
pe_status pe_adopt(const pe_brief *b, const pe_style *style, const pe_result *prev,
                   pe_worker *wk, pe_sched *s);

#endif
