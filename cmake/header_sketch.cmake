# The usage sketch at the top of include/polyevolve.h as a program: the indented lines after
# "Typical use", wrapped in main() with the headers they need; its exit status is the sketch's
# st. Run by tests/CMakeLists.txt at build time:
#   cmake -DHEADER=include/polyevolve.h -DOUT=header_sketch.c -P cmake/header_sketch.cmake
file(STRINGS "${HEADER}" lines)
set(body "")
set(state before) # before the sketch, in it, after it
foreach(line IN LISTS lines)
  if(state STREQUAL "before")
    if(line MATCHES "Typical use")
      set(state blank)
    endif()
  elseif(line MATCHES "^ \\*     (.*)$")
    string(APPEND body "    ${CMAKE_MATCH_1}\n")
    set(state in)
  elseif(state STREQUAL "in")
    break()
  endif()
endforeach()
if(body STREQUAL "")
  message(FATAL_ERROR "${HEADER}: no indented sketch after \"Typical use\"")
endif()
file(WRITE "${OUT}"
     "/* generated from polyevolve.h's usage sketch by cmake/header_sketch.cmake */\n"
     "#include <polyevolve.h>\n\n#include <stdio.h>\n\nint main(void)\n{\n${body}"
     "    return st == PE_OK ? 0 : 1;\n}\n")
