# SPDX-License-Identifier: Apache-2.0
# mdc_install.cmake — what `make install` (cmake --install) puts where, under
# CMAKE_INSTALL_PREFIX (and $DESTDIR):
#   bin/mdc, bin/mdc-sim, bin/hems-data-collector -> mdc
#   lib/systemd/system/mdc.service, mdc-hems.service   (paths below the prefix filled in)
#   <sysconfdir>/mdc/mdc.json                 the service's configuration (an example to edit)
#   <sysconfdir>/mdc/.env                     its secrets, created empty (0600) when missing
#   share/man/man1/mdc.1, mdc-sim.1, hems-data-collector.1
#   share/doc/mdc/configuration.md, README.md, LICENSE, examples/*.json, hems.env.example
#   share/mdc/templates/modbus/*.json         the register maps of "template" (also built in)
include(GNUInstallDirs)

install(TARGETS mdc mdc-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `mdc hems` under the name of the program it replaces (mdc dispatches on argv[0])
install(CODE "file(CREATE_LINK mdc
  \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/hems-data-collector\" SYMBOLIC)")

set(MDC_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(MDC_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR})
foreach(unit mdc mdc-hems)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/${unit}.service.in
                 ${PROJECT_BINARY_DIR}/${unit}.service @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${unit}.service DESTINATION lib/systemd/system)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/packaging/mdc.json DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/mdc)
# mdc.service hands .env to mdc as a credential (LoadCredential=), which needs the file: an
# empty one, readable by root alone, unless there is one (never overwritten).
install(CODE "set(env \"\$ENV{DESTDIR}${CMAKE_INSTALL_FULL_SYSCONFDIR}/mdc/.env\")
  if(NOT EXISTS \"\${env}\")
    file(WRITE \"\${env}\" \"# Secrets for \\\${NAME} references in mdc.json: NAME=value lines (man mdc).\\n\")
    execute_process(COMMAND chmod 0600 \"\${env}\")
  endif()")

install(FILES ${PROJECT_SOURCE_DIR}/man/mdc.1 ${PROJECT_SOURCE_DIR}/man/mdc-sim.1
        ${PROJECT_SOURCE_DIR}/man/hems-data-collector.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/README.md
        ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/packaging/hems.env.example
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/modbus/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/mdc/templates/modbus FILES_MATCHING PATTERN "*.json")
