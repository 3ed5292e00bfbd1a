dist_noinst_DATA += etc/hsflowd.conf etc/hsflowd.service
