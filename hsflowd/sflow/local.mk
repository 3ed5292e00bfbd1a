# The sFlow v5 wire library, shared by hsflowd and sflowcat.
noinst_LIBRARIES += libsflow.a
libsflow_a_SOURCES = hsflowd/sflow/sflow.h hsflowd/sflow/encode.c hsflowd/sflow/decode.c \
	hsflowd/sflow/names.c hsflowd/sflow/layout.h
