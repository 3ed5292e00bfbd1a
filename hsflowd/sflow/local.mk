# The sFlow v5 wire library and the packet-header walker, shared by hsflowd and sflowcat.
noinst_LIBRARIES += libsflow.a
libsflow_a_SOURCES = hsflowd/sflow/sflow.h hsflowd/sflow/encode.c hsflowd/sflow/decode.c \
	hsflowd/sflow/names.c hsflowd/sflow/layout.h hsflowd/sflow/sflow-decode.h \
	hsflowd/sflow/names-ext.c hsflowd/sflow/decode-ext.inc hsflowd/sflow/encode-ext.inc \
	hsflowd/sflow/header-walk.c hsflowd/sflow/header-walk.h
