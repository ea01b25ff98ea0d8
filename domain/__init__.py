"""Values and rules of OMO fulfilment. No I/O: nothing here touches a database or the network."""
