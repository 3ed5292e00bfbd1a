/* kvm-dl.h - libvirt and libxml2, loaded when the kvm module starts rather than linked: libvirt
 * brings some thirty libraries (GnuTLS, SASL, GLib, libxml2...) that an hsflowd without kvm {}
 * must not map. sym_vir*() and sym_xml*() pointers typed by the libraries' own headers. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "dlopen.h"

/* every function the module calls, by library */
#define VIRT_SYMBOLS(X)                                                                            \
        X(virInitialize)                                                                           \
        X(virSetErrorFunc)                                                                         \
        X(virGetLastErrorMessage)                                                                  \
        X(virEventRegisterImpl)                                                                    \
        X(virConnectOpenReadOnly)                                                                  \
        X(virConnectClose)                                                                         \
        X(virConnectGetURI)                                                                        \
        X(virConnectRegisterCloseCallback)                                                         \
        X(virConnectUnregisterCloseCallback)                                                       \
        X(virConnectSetKeepAlive)                                                                  \
        X(virConnectIsAlive)                                                                       \
        X(virConnectDomainEventRegisterAny)                                                        \
        X(virConnectDomainEventDeregisterAny)                                                      \
        X(virConnectListAllDomains)                                                                \
        X(virDomainFree)                                                                           \
        X(virDomainRef)                                                                            \
        X(virDomainGetUUID)                                                                        \
        X(virDomainGetUUIDString)                                                                  \
        X(virDomainGetName)                                                                        \
        X(virDomainGetXMLDesc)                                                                     \
        X(virDomainGetInfo)                                                                        \
        X(virDomainGetBlockInfo)                                                                   \
        X(virDomainBlockStats)                                                                     \
        X(virDomainInterfaceStats)

#define XML_SYMBOLS(X)                                                                             \
        X(xmlInitParser)                                                                           \
        X(xmlReadMemory)                                                                           \
        X(xmlFreeDoc)                                                                              \
        X(xmlDocGetRootElement)                                                                    \
        X(xmlXPathNewContext)                                                                      \
        X(xmlXPathFreeContext)                                                                     \
        X(xmlXPathEvalExpression)                                                                  \
        X(xmlXPathNodeEval)                                                                        \
        X(xmlXPathFreeObject)

VIRT_SYMBOLS(DLSYM_PROTOTYPE)
XML_SYMBOLS(DLSYM_PROTOTYPE)
