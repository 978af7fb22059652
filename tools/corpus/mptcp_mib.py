"""Which kernel MIB counters (nstat MPTcpExt*) prove that an MPTCP option subtype was sent or
received. Shared by the corpus generator (which records what a capture must show) and the
corpus check (which verifies it), so the two cannot drift apart."""

# MPTCP option subtype -> MIB counters (sent, received) that prove it was on the wire
SUBTYPE_MIB = {0: ("MPTcpExtMPCapableSYNTX", "MPTcpExtMPCapableSYNRX"),
               1: ("MPTcpExtMPJoinSynTx", "MPTcpExtMPJoinSynRx"),
               3: ("MPTcpExtAddAddrTx", "MPTcpExtAddAddr"),
               4: ("MPTcpExtRmAddrTx", "MPTcpExtRmAddr"),
               5: ("MPTcpExtMPPrioTx", "MPTcpExtMPPrioRx"),
               6: ("MPTcpExtMPFailTx", "MPTcpExtMPFailRx"),
               7: ("MPTcpExtMPFastcloseTx", "MPTcpExtMPFastcloseRx"),
               8: ("MPTcpExtMPRstTx", "MPTcpExtMPRstRx")}
