# mdc_install.cmake — what `make install` (cmake --install) puts where, under
# CMAKE_INSTALL_PREFIX (and $DESTDIR):
#   bin/mdc, bin/mdc-sim, bin/hems-data-collector -> mdc
#   lib/systemd/system/mdc.service            (paths below the prefix filled in)
#   <sysconfdir>/mdc/mdc.json                 the service's configuration (an example to edit)
#   share/man/man1/mdc.1, mdc-sim.1
#   share/doc/mdc/configuration.md, README.md, examples/*.json
include(GNUInstallDirs)

install(TARGETS mdc mdc-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `mdc hems` under the name of the program it replaces (mdc dispatches on argv[0])
install(CODE "file(CREATE_LINK mdc
  \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/hems-data-collector\" SYMBOLIC)")

set(MDC_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(MDC_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR})
configure_file(${PROJECT_SOURCE_DIR}/packaging/mdc.service.in ${PROJECT_BINARY_DIR}/mdc.service @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mdc.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/mdc.json DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/mdc)

install(FILES ${PROJECT_SOURCE_DIR}/man/mdc.1 ${PROJECT_SOURCE_DIR}/man/mdc-sim.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILES_MATCHING PATTERN "*.json")
