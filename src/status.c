/* status: the English words for each pe_status. */
#include "polyevolve.h"

const char *pe_status_str(pe_status status)
{
    switch (status) {
    case PE_OK: return "success";
    case PE_ERR_NOMEM: return "out of memory";
    case PE_ERR_IO: return "input/output error";
    case PE_ERR_FORMAT: return "malformed or unsupported file";
    case PE_ERR_INVALID_ARG: return "invalid argument";
    case PE_ERR_LIMIT: return "exceeds the configured limit";
    case PE_ERR_NONFINITE: return "objective is not finite";
    case PE_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}
