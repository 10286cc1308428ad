/* fuzz_state: any bytes through pe_state_parse, the state-file reader (src/state.c), which
 * promises never to crash on any input. A parsed state is freed again, so leaks show up too. */
#include <stdint.h>
#include <stdlib.h>

#include "polyevolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pe_state st;
    const pe_status s = pe_state_parse((const char *)data, size, &st);
    if (s == PE_OK) {
        /* What a caller does next with a parsed state: use its options and its result. */
        const pe_metadata m = pe_state_options(&st);
        for (size_t i = 0; i < m.count; i++)
            if (!m.keys[i] || !m.values[i])
                abort();
        if (st.result.count && !st.result.triangles)
            abort();
    }
    pe_state_free(&st);
    return 0;
}
